// Coefficient-wise exp and log on a dynamic-size array map (n = 11), which
// Eigen vectorizes for doubles with its own packet math (pexp<Packet2d>,
// plog<Packet2d>): f = sum(exp(x) + log(1 + x^2)),
// df/dx = exp(x) + 2x / (1 + x^2).
#include "check.hpp"
#include <Eigen/Dense>

using Eigen::ArrayXd;
using Eigen::Map;

double exp_log(const double *x, int n) {
  Map<const ArrayXd> a(x, n);
  return (a.exp() + (1 + a * a).log()).sum();
}

int main() {
  const int n = 11;
  std::vector<double> x = data(n, 0.7), v = data(n, 2.1), w = data(n, 3.9);
  std::vector<double> want(n);
  for (int i = 0; i < n; ++i)
    want[i] = std::exp(x[i]) + 2 * x[i] / (1 + x[i] * x[i]);
  ScalarFn f = [&](const double *p) { return exp_log(p, n); };
  std::vector<double> fd = fd_gradient(f, x.data(), n);
  std::printf("exp_log\n");
  (void)v;
  (void)w;
#ifdef TEST_REV
  {
    std::vector<double> dx(n, 0.0);
    __enzyme_autodiff((void *)exp_log, enzyme_dup, x.data(), dx.data(), n);
    CHECK_VEC("reverse", dx, want.data(), fd.data(), n);
  }
#endif
#ifdef TEST_FWD
  {
    double t =
        __enzyme_fwddiff((void *)exp_log, enzyme_dup, x.data(), v.data(), n);
    CHECK_CLOSED("forward", 0, t, inner(want, v.data()));
    CHECK_FD("forward", 0, t, fd_directional(f, x.data(), v.data(), n));
  }
#endif
#ifdef TEST_VEC
  {
    Vec2 t = __enzyme_fwddiff_2((void *)exp_log, enzyme_width, 2, enzyme_dup,
                                x.data(), v.data(), w.data(), n);
    CHECK_CLOSED("vector", 0, t.d[0], inner(want, v.data()));
    CHECK_CLOSED("vector", 1, t.d[1], inner(want, w.data()));
  }
#endif
  return report("cwise_exp_log");
}
