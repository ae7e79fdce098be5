/* Second order: forward over reverse (__enzyme_fwddiff of a function that
 * itself calls __enzyme_autodiff) gives a Hessian-vector product; reverse
 * over reverse, forward over forward and reverse over forward give second
 * derivatives too. The inner
 * gradient is lowered first, so the outer derivative sees ordinary code, a
 * tape in a loop included. Checked against closed forms and central finite
 * differences of the gradient. */
#include "check.h"

double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);
int enzyme_const;

/* f(x, y) = sin(x) y^2 + exp(x y) */
static double f(double x, double y) { return sin(x) * y * y + exp(x * y); }
static double dfdx(double x, double y) {
  return __enzyme_autodiff((void *)f, x, enzyme_const, y);
}
static double y_fixed = 1.3;
static double dfdx_of_x(double x) { return dfdx(x, y_fixed); }

/* g(x) = s_n with s_0 = x, s_{k+1} = sin(s_k) x: the inner gradient caches
 * per iteration; its tape lives in realloc'd memory. */
static double g(double x, int n) {
  double s = x;
  for (int i = 0; i < n; ++i)
    s = sin(s) * x;
  return s;
}
static double dg(double x, int n) {
  return __enzyme_autodiff((void *)g, x, enzyme_const, n);
}
static double dg5(double x) { return dg(x, 5); }

/* h(x) = sin(x) e^x: every pairing of the two modes gives h''. */
static double h(double x) { return sin(x) * exp(x); }
static double dh_rev(double x) { return __enzyme_autodiff((void *)h, x); }
static double dh_fwd(double x) {
  return __enzyme_fwddiff((void *)h, x, 1.0);
}

int main(void) {
  for (int i = 0; i < 3; ++i) {
    double x = -0.5 + 0.6 * i, hxx = 2 * cos(x) * exp(x);
    CHECK_DERIV(__enzyme_autodiff((void *)dh_rev, x), hxx, fd1(dh_rev, x));
    CHECK_DERIV(__enzyme_fwddiff((void *)dh_fwd, x, 1.0), hxx,
                fd1(dh_fwd, x));
    CHECK_DERIV(__enzyme_autodiff((void *)dh_fwd, x), hxx, fd1(dh_fwd, x));
    CHECK_DERIV(__enzyme_fwddiff((void *)dh_rev, x, 1.0), hxx,
                fd1(dh_rev, x));
  }
  for (int i = 0; i < 4; ++i) {
    double x = -0.8 + 0.55 * i, y = y_fixed;
    double fxx = -sin(x) * y * y + y * y * exp(x * y);
    double fxy = 2 * y * cos(x) + exp(x * y) * (1 + x * y);
    CHECK_DERIV(__enzyme_fwddiff((void *)dfdx, x, 1.0, y, 0.0), fxx,
                fd1(dfdx_of_x, x));
    CHECK_DERIV(__enzyme_fwddiff((void *)dfdx, x, 0.0, y, 1.0), fxy, NAN);
    CHECK_DERIV(__enzyme_fwddiff((void *)dg, x, 1.0, enzyme_const, 5), NAN,
                fd1(dg5, x));
  }
  return report();
}
