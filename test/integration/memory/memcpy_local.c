/* Bulk memcpy between buffers that the differentiated function allocated
 * itself (no argument involved in the copy).
 *   stage(x, n):   x -> a (stack, element loop), a -> b (stack, one memcpy
 *                  of n doubles), b -> h (heap), h -> c (stack);
 *                  result sum_i c_i^2 a_{n-1-i};
 *                  d/dx_k = 2 x_k x_{n-1-k} + x_{n-1-k}^2
 *   swap_halves(x, n): x -> a (stack), memcpy the halves of a crosswise
 *                  into b (stack), result sum_i b_i x_i sin(b_i)
 *                  with b_i = x_{(i + n/2) % n} (n even);
 *                  d/dx_k = x_{k+m} sin(x_{k+m})             (as x_i, i=k)
 *                         + x_{k-m} (sin x_k + x_k cos x_k)  (as b_i)
 *                  with m = n/2 and indices mod n
 * Closed forms (TOL_CLOSED) and central finite differences (TOL_FD). */
#include "memcheck.h"
#include <string.h>

double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);

static double stage(const double *x, int n) {
  double a[32], b[32], c[32];
  for (int i = 0; i < n; ++i)
    a[i] = x[i];
  memcpy(b, a, (size_t)n * sizeof(double));
  double *h = (double *)malloc((size_t)n * sizeof(double));
  memcpy(h, b, (size_t)n * sizeof(double));
  memcpy(c, h, (size_t)n * sizeof(double));
  free(h);
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += c[i] * c[i] * a[n - 1 - i];
  return s;
}

static double swap_halves(const double *x, int n) {
  double a[32], b[32];
  int m = n / 2;
  for (int i = 0; i < n; ++i)
    a[i] = x[i];
  memcpy(b, a + m, (size_t)m * sizeof(double));
  memcpy(b + m, a, (size_t)m * sizeof(double));
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += b[i] * x[i] * sin(b[i]);
  return s;
}

enum { NL = 8 };
static double stage_n(const double *x) { return stage(x, NL); }
static double swap_n(const double *x) { return swap_halves(x, NL); }

int main(void) {
  double x[NL], dx[NL], want[NL], fd[NL], v[NL];
  for (int i = 0; i < NL; ++i) {
    x[i] = 1.3 * sin(0.9 * i + 0.7);
    v[i] = cos(1.1 * i);
  }

  for (int k = 0; k < NL; ++k) {
    double r = x[NL - 1 - k];
    want[k] = 2.0 * x[k] * r + r * r;
  }
  fd_gradient(stage_n, x, NL, fd);
  memset(dx, 0, sizeof dx);
  __enzyme_autodiff((void *)stage, x, dx, NL);
  CHECK_ARRAY(dx, want, fd, NL);
  CHECK_DERIV(__enzyme_fwddiff((void *)stage, x, v, NL), dotn(want, v, NL),
              fd_dir(stage_n, x, v, NL));

  const int m = NL / 2;
  for (int k = 0; k < NL; ++k) {
    double p = x[(k + m) % NL], q = x[(k + NL - m) % NL];
    want[k] = p * sin(p) + q * (sin(x[k]) + x[k] * cos(x[k]));
  }
  fd_gradient(swap_n, x, NL, fd);
  memset(dx, 0, sizeof dx);
  __enzyme_autodiff((void *)swap_halves, x, dx, NL);
  CHECK_ARRAY(dx, want, fd, NL);
  CHECK_DERIV(__enzyme_fwddiff((void *)swap_halves, x, v, NL),
              dotn(want, v, NL), fd_dir(swap_n, x, v, NL));
  return report();
}
