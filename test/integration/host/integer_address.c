/* Addresses computed through integers, `(double *)((uintptr_t)x + 8)`,
 * follow their shadows like pointer arithmetic does, in both modes. */
#include "check.h"
#include <stdint.h>

double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);

static double f(double *x) {
  double *second = (double *)((uintptr_t)x + sizeof(double));
  double *third = (double *)((uintptr_t)second + 16 - sizeof(double));
  return second[0] * x[0] + sin(third[0]);
}
static const double X[3] = {2.0, 3.0, 0.7};
static double f_const(const double *x) { return f((double *)x); }

int main(void) {
  double x[3] = {2.0, 3.0, 0.7}, dx[3] = {0, 0, 0};
  __enzyme_autodiff((void *)f, x, dx);
  CHECK_DERIV(dx[0], 3.0, fd_partial(f_const, X, 3, 0));
  CHECK_DERIV(dx[1], 2.0, fd_partial(f_const, X, 3, 1));
  CHECK_DERIV(dx[2], cos(0.7), fd_partial(f_const, X, 3, 2));
  double t[3] = {1.0, -1.0, 0.5};
  CHECK_DERIV(__enzyme_fwddiff((void *)f, x, t), 3.0 - 2.0 + 0.5 * cos(0.7),
              fd_dir(f_const, X, t, 3));
  return report();
}
