// Coefficient-wise math and reductions over dynamic-size maps (n = 11: two
// packets of SSE at a time, then a scalar tail) and one fixed-size array,
// all evaluated without temporaries (heap_temporary.cpp has those; exp and
// log, which Eigen vectorizes for doubles, are in cwise_exp_log.cpp):
//   sin_sum     sum(sin(x))                        d/dx = cos(x)
//   sq_norm     ||x||^2                            d/dx = 2 x
//   vdot        x . y                              d/dx = y, d/dy = x
//   cwise       ||x .* y||^2                       d/dx = 2 x y^2
//   fixed_mix   sum(x^2 * cos(x)) on Array<double, 8, 1>
//                                                  d/dx = 2x cos(x) - x^2
//                                                  sin(x)
#include "check.hpp"
#include <Eigen/Dense>

using Eigen::ArrayXd;
using Eigen::Map;
using Eigen::VectorXd;
using Arr8 = Eigen::Array<double, 8, 1>;

double sin_sum(const double *x, int n) {
  return Map<const ArrayXd>(x, n).sin().sum();
}
double sq_norm(const double *x, int n) {
  return Map<const VectorXd>(x, n).squaredNorm();
}
double vdot(const double *x, const double *y, int n) {
  return Map<const VectorXd>(x, n).dot(Map<const VectorXd>(y, n));
}
double cwise(const double *x, const double *y, int n) {
  return Map<const VectorXd>(x, n)
      .cwiseProduct(Map<const VectorXd>(y, n))
      .squaredNorm();
}
double fixed_mix(const double *x) {
  Map<const Arr8> a(x);
  return (a.square() * a.cos()).sum();
}

double fixed_mix_n(const double *x, int) { return fixed_mix(x); }

// Checks one unary f(x, n) in the modes compiled in.
template <double (*f)(const double *, int), class G>
void check_unary(const char *what, G closed, int n) {
  std::vector<double> x = data(n, 0.7), v = data(n, 2.1), w = data(n, 3.9);
  std::vector<double> want(n);
  for (int i = 0; i < n; ++i)
    want[i] = closed(x[i]);
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
  check_unary<sin_sum>("sin_sum", [](double x) { return std::cos(x); }, 11);
  check_unary<sq_norm>("sq_norm", [](double x) { return 2 * x; }, 11);
  check_unary<fixed_mix_n>(
      "fixed_mix",
      [](double x) { return 2 * x * std::cos(x) - x * x * std::sin(x); }, 8);

  // binary reductions: both arguments active
  const int n = 11;
  std::vector<double> x = data(n, 0.2), y = data(n, 1.7), vx = data(n, 2.5),
                      vy = data(n, 4.1);
  std::vector<double> dot_dx(y), dot_dy(x), cw_dx(n), cw_dy(n);
  for (int i = 0; i < n; ++i) {
    cw_dx[i] = 2 * x[i] * y[i] * y[i];
    cw_dy[i] = 2 * y[i] * x[i] * x[i];
  }
  std::printf("vdot, cwise\n");
#ifdef TEST_REV
  {
    std::vector<double> dx(n, 0.0), dy(n, 0.0);
    __enzyme_autodiff((void *)vdot, enzyme_dup, x.data(), dx.data(), enzyme_dup,
                      y.data(), dy.data(), n);
    CHECK_VEC("reverse dot dx", dx, dot_dx.data(), nullptr, n);
    CHECK_VEC("reverse dot dy", dy, dot_dy.data(), nullptr, n);
    std::fill(dx.begin(), dx.end(), 0.0);
    std::fill(dy.begin(), dy.end(), 0.0);
    __enzyme_autodiff((void *)cwise, enzyme_dup, x.data(), dx.data(),
                      enzyme_dup, y.data(), dy.data(), n);
    CHECK_VEC("reverse cwise dx", dx, cw_dx.data(), nullptr, n);
    CHECK_VEC("reverse cwise dy", dy, cw_dy.data(), nullptr, n);
  }
#endif
#ifdef TEST_FWD
  {
    double t = __enzyme_fwddiff((void *)vdot, enzyme_dup, x.data(), vx.data(),
                                enzyme_dup, y.data(), vy.data(), n);
    CHECK_CLOSED("forward dot", 0, t,
                 inner(dot_dx, vx.data()) + inner(dot_dy, vy.data()));
    t = __enzyme_fwddiff((void *)cwise, enzyme_dup, x.data(), vx.data(),
                         enzyme_dup, y.data(), vy.data(), n);
    CHECK_CLOSED("forward cwise", 0, t,
                 inner(cw_dx, vx.data()) + inner(cw_dy, vy.data()));
  }
#endif
#ifdef TEST_VEC
  {
    Vec2 t =
        __enzyme_fwddiff_2((void *)vdot, enzyme_width, 2, enzyme_dup, x.data(),
                           vx.data(), vy.data(), enzyme_const, y.data(), n);
    CHECK_CLOSED("vector dot", 0, t.d[0], inner(dot_dx, vx.data()));
    CHECK_CLOSED("vector dot", 1, t.d[1], inner(dot_dx, vy.data()));
  }
#endif
  return report("reductions");
}
