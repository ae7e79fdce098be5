// fluxion::batched_jacobian, both forms, for float and double: f mapping
// one sample (samples in parallel on the thread pool) and f mapping the
// whole batch (one seed direction in every sample per pass), against
// central finite differences sample by sample.
#include "check.hpp"
#include <fluxion/ad.hpp>

// A damped pendulum step per sample: state (q, p), parameters (k, c):
// n = 4 inputs (q, p, k, c), m = 2 outputs (q', p').
template <class T> void step(const T *s, T *out) {
  const T dt = T(0.05);
  T q = s[0], p = s[1], k = s[2], c = s[3];
  T a = -k * std::sin(q) - c * p;
  out[0] = q + dt * (p + T(0.5) * dt * a);
  out[1] = p + dt * a;
}
constexpr size_t N = 4, M = 2;

template <class T> void run(size_t B) {
  std::vector<double> Xd(B * N);
  for (size_t i = 0; i < B * N; ++i)
    Xd[i] = 0.5 + 0.4 * std::sin(0.7 * double(i));
  std::vector<double> want(B * M * N);
  for (size_t b = 0; b < B; ++b) {
    std::vector<double> xb(Xd.begin() + b * N, Xd.begin() + (b + 1) * N);
    std::vector<double> Jb =
        fd_jacobian([](const double *x, double *y) { step(x, y); }, xb, M);
    std::copy(Jb.begin(), Jb.end(), want.begin() + b * M * N);
  }
  std::vector<T> X(Xd.begin(), Xd.end()), J(B * M * N, T(-5));

  // per sample: a lambda with a capture, and fluxion::fn
  const T gain = T(1);
  auto one = [gain](const T *x, T *y) {
    step(x, y);
    y[0] *= gain;
  };
  fluxion::batched_jacobian(one, X.data(), J.data(), N, M, B);
  CHECK_ALL(T, "per-sample lambda", J, want, B * M * N);
  std::fill(J.begin(), J.end(), T(-5));
  fluxion::batched_jacobian(fluxion::fn<step<T>>, X.data(), J.data(), N, M, B);
  CHECK_ALL(T, "per-sample fn<>", J, want, B * M * N);

  // whole batch: the lambda captures the batch size
  auto all = [B](const T *x, T *y) {
    for (size_t b = 0; b < B; ++b)
      step(x + b * N, y + b * M);
  };
  std::fill(J.begin(), J.end(), T(-5));
  fluxion::batched_jacobian(fluxion::whole_batch, all, X.data(), J.data(), N, M,
                            B);
  CHECK_ALL(T, "whole batch", J, want, B * M * N);
  std::fill(J.begin(), J.end(), T(-5));
  fluxion::batched_jacobian<2>(fluxion::whole_batch, all, X.data(), J.data(), N,
                               M, B);
  CHECK_ALL(T, "whole batch w2", J, want, B * M * N);
}

int main() {
  for (size_t B : {1, 7, 64}) {
    run<double>(B);
    run<float>(B);
  }
  fluxion::set_num_threads(1);
  run<double>(5);
  return report("batched");
}
