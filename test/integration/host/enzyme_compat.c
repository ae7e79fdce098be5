/* Code written for Enzyme compiles unchanged: markers defined as plain
 * `int` globals, variadic builtins, the calling-convention examples of
 * Enzyme's documentation on scalar arguments. */
#include "check.h"
#include <math.h>
#include <stdio.h>

int enzyme_dup;
int enzyme_dupnoneed;
int enzyme_out;
int enzyme_const;

double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);

double f(double x, double y) { return x * x * y + sin(y); }
static double f_v(const double *v) { return f(v[0], v[1]); }

double df_dx(double x, double y) {
  // y is inactive: only the adjoint of x is returned
  return __enzyme_autodiff((void *)f, enzyme_out, x, enzyme_const, y);
}
double df_dy(double x, double y) {
  return __enzyme_autodiff((void *)f, enzyme_const, x, y);
}
double jvp(double x, double dx, double y, double dy) {
  return __enzyme_fwddiff((void *)f, enzyme_dup, x, dx, enzyme_dup, y, dy);
}
double jvp_default(double x, double dx, double y, double dy) {
  return __enzyme_fwddiff((void *)f, x, dx, y, dy);
}
double jvp_noneed(double x, double dx, double y) {
  return __enzyme_fwddiff((void *)f, enzyme_dupnoneed, x, dx, enzyme_const, y);
}

int main() {
  double x = 3.14, y = 0.7;
  double v[2] = {x, y};
  printf("df/dx = %f, df/dy = %f\n", df_dx(x, y), df_dy(x, y));
  CHECK_DERIV(df_dx(x, y), 2 * x * y, fd_partial(f_v, v, 2, 0));
  CHECK_DERIV(df_dy(x, y), x * x + cos(y), fd_partial(f_v, v, 2, 1));
  CHECK_DERIV(jvp(x, 1.0, y, 0.0), 2 * x * y, fd_partial(f_v, v, 2, 0));
  CHECK_DERIV(jvp(x, 0.0, y, 1.0), x * x + cos(y), fd_partial(f_v, v, 2, 1));
  CHECK_DERIV(jvp(x, 2.0, y, -1.0), 4 * x * y - (x * x + cos(y)), NAN);
  CHECK_DERIV(jvp_default(x, 2.0, y, -1.0), 4 * x * y - (x * x + cos(y)), NAN);
  CHECK_DERIV(jvp_noneed(x, 1.0, y), 2 * x * y, NAN);
  return report();
}
