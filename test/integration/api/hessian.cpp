// fluxion::hvp and fluxion::hessian (forward over reverse) for float and
// double, capturing lambdas and fluxion::fn, against closed forms and
// central finite differences of the gradient.
#include "check.hpp"
#include <fluxion/ad.hpp>

constexpr size_t N = 6;
// f = sum_i a_i x_i^2 x_{i+1} + exp(0.1 sum x) + sin(x_0 x_5)
template <class T> T fun(const T *x) {
  T s = 0, t = 0;
  for (size_t i = 0; i < N; ++i) {
    if (i + 1 < N)
      s += T(1 + 0.2 * i) * x[i] * x[i] * x[i + 1];
    t += x[i];
  }
  return s + std::exp(T(0.1) * t) + std::sin(x[0] * x[N - 1]);
}
// the gradient in closed form, differenced for the Hessian reference
static void grad_closed(const double *x, double *g) {
  double t = 0;
  for (size_t i = 0; i < N; ++i)
    t += x[i];
  for (size_t i = 0; i < N; ++i)
    g[i] = 0.1 * std::exp(0.1 * t);
  for (size_t i = 0; i + 1 < N; ++i) {
    double a = 1 + 0.2 * i;
    g[i] += 2 * a * x[i] * x[i + 1];
    g[i + 1] += a * x[i] * x[i];
  }
  g[0] += std::cos(x[0] * x[N - 1]) * x[N - 1];
  g[N - 1] += std::cos(x[0] * x[N - 1]) * x[0];
}

template <class T, class F> void run(const F &f, const char *what) {
  std::vector<double> xd(N);
  for (size_t i = 0; i < N; ++i)
    xd[i] = 0.3 - 0.15 * i;
  std::vector<double> H = fd_jacobian(grad_closed, xd, N); // symmetric
  std::vector<T> x(xd.begin(), xd.end()), v(N), Hv(N), Hm(N * N, T(3));
  for (size_t i = 0; i < N; ++i)
    v[i] = T(1.0 - 0.3 * i);
  std::vector<double> Hv_want(N, 0.0);
  for (size_t i = 0; i < N; ++i)
    for (size_t j = 0; j < N; ++j)
      Hv_want[i] += H[i * N + j] * double(v[j]);
  fluxion::hvp(f, x.data(), v.data(), Hv.data(), N);
  CHECK_ALL(T, what, Hv, Hv_want, N);
  fluxion::hessian(f, x.data(), Hm.data(), N);
  CHECK_ALL(T, what, Hm, H, N * N);
  // the gradient as well, against the closed form
  std::vector<double> g_want(N);
  grad_closed(xd.data(), g_want.data());
  std::vector<T> g(N);
  fluxion::gradient(f, x.data(), g.data(), N);
  CHECK_ALL(T, what, g, g_want, N);
}

int main() {
  run<double>(fluxion::fn<fun<double>>, "fn<> double");
  run<float>(fluxion::fn<fun<float>>, "fn<> float");
  double one = 1.0;
  auto lam = [&one](const double *x) { return one * fun(x); };
  run<double>(lam, "lambda double");
  float onef = 1.0f;
  auto lamf = [onef](const float *x) { return onef * fun(x); };
  run<float>(lamf, "lambda float");
  return report("hessian");
}
