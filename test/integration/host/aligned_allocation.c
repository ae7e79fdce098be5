/* Aligned heap allocations inside differentiated code get shadows as malloc
 * does: posix_memalign (which hands its block back through memory),
 * aligned_alloc and memalign, in both modes. */
#define _GNU_SOURCE
#include "check.h"
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>

double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);

/* sum_i (x_i^2 + sin x_i) through three aligned scratch buffers */
static double scratch(const double *x, int n) {
  double *a, *b, *c;
  if (posix_memalign((void **)&a, 32, n * sizeof(double)))
    return 0;
  b = aligned_alloc(64, 64 * ((n * sizeof(double) + 63) / 64));
  c = memalign(16, n * sizeof(double));
  double s = 0;
  for (int i = 0; i < n; ++i) {
    a[i] = x[i] * x[i];
    b[i] = sin(x[i]);
    c[i] = a[i] + b[i];
    s += c[i] * ((uintptr_t)a % 32 == 0 ? 1.0 : 0.0);
  }
  free(a);
  free(b);
  free(c);
  return s;
}

static const double X[4] = {0.3, -1.2, 0.8, 2.0};

int main(void) {
  double dx[4] = {0, 0, 0, 0};
  __enzyme_autodiff((void *)scratch, X, dx, 4);
  for (int j = 0; j < 4; ++j) {
    double closed = 2 * X[j] + cos(X[j]);
    CHECK_DERIV(dx[j], closed, NAN);
    double e[4] = {0, 0, 0, 0};
    e[j] = 1.0;
    CHECK_DERIV(__enzyme_fwddiff((void *)scratch, X, e, 4), closed, NAN);
  }
  return report();
}
