// Temporaries on the heap: dynamic-size Eigen objects that copy active data
// into memory Eigen allocates (aligned_malloc) and frees itself.
//   exp_log_tmp  a = x (ArrayXd copy), e = exp(a) (another),
//                f = sum(e + log(1 + a^2))      df/dx = exp(x) + 2x/(1+x^2)
//   outer_tmp    M = x x^T (MatrixXd), f = trace(M) + sum(M)
//                                              df/dx = 2 x + 2 sum(x)
#include "check.hpp"
#include <Eigen/Dense>

using Eigen::ArrayXd;
using Eigen::Map;
using Eigen::MatrixXd;
using Eigen::VectorXd;

double exp_log_tmp(const double *x, int n) {
  ArrayXd a = Map<const ArrayXd>(x, n);
  ArrayXd e = a.exp();
  return (e + (1 + a * a).log()).sum();
}

double outer_tmp(const double *x, int n) {
  Map<const VectorXd> xm(x, n);
  MatrixXd M = xm * xm.transpose();
  return M.trace() + M.sum();
}

template <double (*f)(const double *, int)>
void check(const char *what, const std::vector<double> &x,
           const std::vector<double> &want) {
  const int n = (int)x.size();
  std::vector<double> v = data(n, 2.1), w = data(n, 3.9);
  ScalarFn fs = [&](const double *p) { return f(p, n); };
  std::vector<double> fd = fd_gradient(fs, x.data(), n);
  std::printf("%s\n", what);
  (void)v;
  (void)w;
#ifdef TEST_REV
  {
    std::vector<double> dx(n, 0.0);
    __enzyme_autodiff((void *)f, enzyme_dup, x.data(), dx.data(), n);
    CHECK_VEC("reverse", dx, want.data(), fd.data(), n);
  }
#endif
#ifdef TEST_FWD
  {
    double t = __enzyme_fwddiff((void *)f, enzyme_dup, x.data(), v.data(), n);
    CHECK_CLOSED("forward", 0, t, inner(want, v.data()));
    CHECK_FD("forward", 0, t, fd_directional(fs, x.data(), v.data(), n));
  }
#endif
#ifdef TEST_VEC
  {
    Vec2 t = __enzyme_fwddiff_2((void *)f, enzyme_width, 2, enzyme_dup,
                                x.data(), v.data(), w.data(), n);
    CHECK_CLOSED("vector", 0, t.d[0], inner(want, v.data()));
    CHECK_CLOSED("vector", 1, t.d[1], inner(want, w.data()));
  }
#endif
}

int main() {
  const int n = 9;
  std::vector<double> x = data(n, 0.7), g1(n), g2(n);
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += x[i];
  for (int i = 0; i < n; ++i) {
    g1[i] = std::exp(x[i]) + 2 * x[i] / (1 + x[i] * x[i]);
    g2[i] = 2 * x[i] + 2 * s;
  }
  check<exp_log_tmp>("exp_log_tmp", x, g1);
  check<outer_tmp>("outer_tmp", x, g2);
  return report("heap_temporary");
}
