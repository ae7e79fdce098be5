/* Forward mode computes sin and cos of the same value with one llvm.sincos;
 * in loops it is split again before the vectorizers run (LLVM 22's
 * InstCombine rebuilt a widened llvm.sincos of a reversed load as invalid
 * IR and clang crashed). A counting-down loop and a counting-up one, in
 * forward and vector forward mode, against closed forms. */
#include "check.h"

extern int enzyme_width;
void __enzyme_fwddiff(void *, ...);

static void waves(double *y, const double *x, int n) {
  for (int i = n - 1; i >= 0; --i)
    y[i] = cos(x[i]) + 0.5 * sin(x[i]);
  for (int i = 0; i < n; ++i)
    y[i] *= sin(x[n - 1 - i]);
}

int main(void) {
  enum { N = 9 };
  double x[N], dx[N], y[N], dy[N];
  for (int i = 0; i < N; ++i) {
    x[i] = 0.3 * i - 1.0;
    dx[i] = 1.0 + 0.1 * i;
  }
  __enzyme_fwddiff((void *)waves, y, dy, x, dx, N);
  double dy0[N], dy1[N], zero[N] = {0};
  __enzyme_fwddiff((void *)waves, enzyme_width, 2, y, dy0, dy1, x, dx, zero,
                   N);
  for (int i = 0; i < N; ++i) {
    int j = N - 1 - i;
    double inner = cos(x[i]) + 0.5 * sin(x[i]);
    double d_inner = (-sin(x[i]) + 0.5 * cos(x[i])) * dx[i];
    double want = d_inner * sin(x[j]) + inner * cos(x[j]) * dx[j];
    CHECK_DERIV(dy[i], want, NAN);
    CHECK_DERIV(dy0[i], want, NAN);
    CHECK_DERIV(dy1[i], 0.0, NAN);
  }
  return report();
}
