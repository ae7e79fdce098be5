// fluxion::gradient, jvp and vjp for float and double, with plain
// functions, function template instances, fluxion::fn<> and lambdas that
// capture data (by reference and by value), against central finite
// differences of the primal's double twin.
#include "check.hpp"
#include <fluxion/ad.hpp>

constexpr size_t N = 7, M = 5;

// Rosenbrock-like scalar function with a transcendental term.
template <class T> T scalar_fn(const T *x) {
  T s = 0;
  for (size_t i = 0; i + 1 < N; ++i) {
    T a = x[i + 1] - x[i] * x[i], b = 1 - x[i];
    s += 10 * a * a + b * b + std::sin(x[i] * x[i + 1]);
  }
  return s;
}
double scalar_plain(const double *x) { return scalar_fn(x); }
float scalar_plain_f(const float *x) { return scalar_fn(x); }

// y_i = tanh(sum_j A_ij x_j) * x_i  (A fixed), M outputs.
template <class T> void map_fn(const T *x, T *y) {
  for (size_t i = 0; i < M; ++i) {
    T s = 0;
    for (size_t j = 0; j < N; ++j)
      s += T(0.1 * (i + 1) - 0.07 * j) * x[j];
    y[i] = std::tanh(s) * x[i] + std::exp(T(0.1) * x[(i + 2) % N]);
  }
}
void map_plain(const double *x, double *y) { map_fn(x, y); }

// Inlined so that a plain function pointer is a constant at the builtin
// call (it is only a run-time value inside a non-inlined helper).
template <class T, class F, class Ref>
__attribute__((always_inline)) inline void test_gradient(const char *what,
                                                         const F &f, Ref ref) {
  std::vector<double> xd(N);
  for (size_t i = 0; i < N; ++i)
    xd[i] = 0.3 + 0.17 * i - 0.05 * i * i;
  std::vector<T> x(xd.begin(), xd.end()), g(N, T(99));
  fluxion::gradient(f, x.data(), g.data(), N);
  std::vector<double> want = fd_gradient(ref, xd);
  CHECK_ALL(T, what, g, want, N);
}

template <class T, class F, class Ref>
__attribute__((always_inline)) inline void test_jvp_vjp(const char *what,
                                                        const F &f, Ref ref) {
  std::vector<double> xd(N);
  for (size_t i = 0; i < N; ++i)
    xd[i] = -0.4 + 0.21 * i;
  std::vector<double> J = fd_jacobian(ref, xd, M), yd(M);
  ref(xd.data(), yd.data());
  std::vector<T> x(xd.begin(), xd.end()), v(N), u(M), y(M), Jv(M), JTu(N);
  for (size_t j = 0; j < N; ++j)
    v[j] = T(0.5 - 0.2 * j);
  for (size_t i = 0; i < M; ++i)
    u[i] = T(1.0 + 0.3 * i);
  std::vector<double> Jv_want(M, 0.0), JTu_want(N, 0.0);
  for (size_t i = 0; i < M; ++i)
    for (size_t j = 0; j < N; ++j) {
      Jv_want[i] += J[i * N + j] * double(v[j]);
      JTu_want[j] += J[i * N + j] * double(u[i]);
    }
  fluxion::jvp(f, x.data(), v.data(), y.data(), Jv.data(), N, M);
  CHECK_ALL(T, "jvp y", y, yd, M);
  CHECK_ALL(T, what, Jv, Jv_want, M);
  std::fill(y.begin(), y.end(), T(0));
  std::vector<T> u_before = u;
  fluxion::vjp(f, x.data(), u.data(), y.data(), JTu.data(), N, M);
  CHECK_ALL(T, "vjp y", y, yd, M);
  CHECK_ALL(T, what, JTu, JTu_want, N);
  CHECK_ALL(T, "vjp leaves u", u, u_before, M); // the seed is a copy
  // A second call overwrites rather than accumulates.
  fluxion::vjp(f, x.data(), u.data(), y.data(), JTu.data(), N, M);
  CHECK_ALL(T, what, JTu, JTu_want, N);
}

int main() {
  auto sref = [](const double *x) { return scalar_fn(x); };
  auto mref = [](const double *x, double *y) { map_fn(x, y); };

  // plain functions and template instances
  test_gradient<double>("gradient plain", scalar_plain, sref);
  test_gradient<float>("gradient plain float", scalar_plain_f, sref);
  test_gradient<double>("gradient template", scalar_fn<double>, sref);
  test_gradient<float>("gradient template float", scalar_fn<float>, sref);
  test_gradient<double>("gradient fn<>", fluxion::fn<scalar_fn<double>>, sref);

  // lambdas capturing data by reference and by value
  std::vector<double> w(N);
  for (size_t i = 0; i < N; ++i)
    w[i] = 1.0 + 0.1 * i;
  std::vector<float> wf(w.begin(), w.end());
  double scale = 1.7;
  auto wref = [&](const double *x) {
    double s = 0;
    for (size_t i = 0; i < N; ++i)
      s += w[i] * std::log(1 + x[i] * x[i]);
    return scale * s + scalar_fn(x);
  };
  test_gradient<double>("gradient lambda&", wref, wref);
  auto wlam_f = [&wf, scale](const float *x) {
    float s = 0;
    for (size_t i = 0; i < N; ++i)
      s += wf[i] * std::log(1 + x[i] * x[i]);
    return float(scale) * s + scalar_fn(x);
  };
  test_gradient<float>("gradient lambda float", wlam_f, wref);
  auto generic = [scale](const auto *x) { return scale * scalar_fn(x); };
  test_gradient<double>("gradient generic lambda", generic,
                        [&](const double *x) { return scale * sref(x); });
  test_gradient<float>("gradient generic lambda float", generic,
                       [&](const double *x) { return scale * sref(x); });

  // jvp / vjp
  test_jvp_vjp<double>("jvp/vjp plain", map_plain, mref);
  test_jvp_vjp<double>("jvp/vjp template", map_fn<double>, mref);
  test_jvp_vjp<float>("jvp/vjp template float", map_fn<float>, mref);
  auto cmref = [&](const double *x, double *y) {
    map_fn(x, y);
    for (size_t i = 0; i < M; ++i)
      y[i] += w[i] * x[i] * x[i];
  };
  test_jvp_vjp<double>("jvp/vjp lambda&", cmref, cmref);
  auto cmlam_f = [&](const float *x, float *y) {
    map_fn(x, y);
    for (size_t i = 0; i < M; ++i)
      y[i] += wf[i] * x[i] * x[i];
  };
  test_jvp_vjp<float>("jvp/vjp lambda float", cmlam_f, cmref);
  return report("gradient");
}
