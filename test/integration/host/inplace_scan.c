/* An in-place scan x[i] += x[i - 1]^2 repeated by an outer loop, inline
 * and through a helper: each repetition reads values the next one
 * overwrites, so the reverse sweep must keep them rather than read the
 * memory again (alias analysis alone compares one iteration's addresses).
 * Checked against central finite differences of the primal. */
#include "check.h"
#include <string.h>

void __enzyme_autodiff(void *, ...);

static double scan_nest(double *x, int n) {
  for (int k = 0; k < n - 1; ++k)
    for (int i = 1; i < n; ++i)
      x[i] += x[i - 1] * x[i - 1];
  return x[n - 1];
}

__attribute__((noinline)) static void scan(double *p, int n) {
  for (int i = 1; i < n; ++i)
    p[i] += sin(p[i - 1]) * p[i - 1];
}
static double scan_calls(double *x, int n) {
  for (int k = n - 2; k >= 0; --k)
    scan(x, n);
  return x[n - 1] * x[0];
}

static const double X[4] = {0.3, -0.5, 0.2, 0.7};
static double nest_copy(const double *x) {
  double y[4];
  memcpy(y, x, sizeof y);
  return scan_nest(y, 4);
}
static double calls_copy(const double *x) {
  double y[4];
  memcpy(y, x, sizeof y);
  return scan_calls(y, 4);
}

int main(void) {
  double x[4], dx[4];
  memcpy(x, X, sizeof x);
  memset(dx, 0, sizeof dx);
  __enzyme_autodiff((void *)scan_nest, x, dx, 4);
  for (int j = 0; j < 4; ++j)
    CHECK_DERIV(dx[j], NAN, fd_partial(nest_copy, X, 4, j));
  memcpy(x, X, sizeof x);
  memset(dx, 0, sizeof dx);
  __enzyme_autodiff((void *)scan_calls, x, dx, 4);
  for (int j = 0; j < 4; ++j)
    CHECK_DERIV(dx[j], NAN, fd_partial(calls_copy, X, 4, j));
  return report();
}
