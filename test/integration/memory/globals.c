/* Global variables that are inactive constants read by the differentiated
 * function: a const coefficient table, a mutable global table that is only
 * read, a mutable global scalar, and a table of knots indexed by a value
 * computed at run time.
 *   poly(x)      = SCALE * sum_k C[k] x^k (Horner over the const table)
 *   weighted(x)  = sum_i W[i % 5] x_i^2;     d/dx_i = 2 W[i % 5] x_i
 *   interp(x)    piecewise linear through (KX[i], KY[i]): the slope of the
 *                segment containing x
 *   mixed(x, n)  = sum_i C[i % 6] * sin(W[i % 5] x_i) * SCALE
 * Closed forms (TOL_CLOSED) and central finite differences (TOL_FD). */
#include "memcheck.h"
#include <string.h>

double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);

static const double C[6] = {0.5, -1.25, 2.0, 0.75, -0.3, 0.05};
double W[5] = {1.5, -0.5, 2.5, 0.25, 1.0};
double SCALE = 1.75;
static const double KX[6] = {-2.0, -1.0, 0.0, 0.5, 1.5, 3.0};
static const double KY[6] = {1.0, -0.5, 0.25, 2.0, 1.0, -1.0};

static double poly(double x) {
  double s = 0;
  for (int k = 5; k >= 0; --k)
    s = s * x + C[k];
  return SCALE * s;
}

static double weighted(const double *x, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += W[i % 5] * x[i] * x[i];
  return s;
}

static double interp(double x) {
  int i = 0;
  while (i < 4 && x > KX[i + 1])
    ++i;
  double t = (x - KX[i]) / (KX[i + 1] - KX[i]);
  return KY[i] + t * (KY[i + 1] - KY[i]);
}

static double mixed(const double *x, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += C[i % 6] * sin(W[i % 5] * x[i]);
  return s * SCALE;
}

enum { NG = 8 };
static double weighted_n(const double *x) { return weighted(x, NG); }
static double mixed_n(const double *x) { return mixed(x, NG); }

int main(void) {
  /* poly */
  for (int t = 0; t < 4; ++t) {
    double x = -1.3 + 0.9 * t, dp = 0;
    for (int k = 1; k < 6; ++k)
      dp += k * C[k] * pow(x, k - 1);
    dp *= 1.75;
    CHECK_DERIV(__enzyme_autodiff((void *)poly, x), dp, fd1(poly, x));
    CHECK_DERIV(__enzyme_fwddiff((void *)poly, x, 1.0), dp, fd1(poly, x));
  }

  /* interp: inside each segment (away from the knots) */
  for (int seg = 0; seg < 5; ++seg) {
    double x = KX[seg] + 0.37 * (KX[seg + 1] - KX[seg]);
    double slope = (KY[seg + 1] - KY[seg]) / (KX[seg + 1] - KX[seg]);
    CHECK_DERIV(__enzyme_autodiff((void *)interp, x), slope,
                fd1(interp, x));
    CHECK_DERIV(__enzyme_fwddiff((void *)interp, x, 1.0), slope,
                fd1(interp, x));
  }

  double x[NG], dx[NG], want[NG], fd[NG], v[NG];
  for (int i = 0; i < NG; ++i) {
    x[i] = sin(0.9 * i + 0.1);
    v[i] = cos(1.6 * i);
  }
  for (int i = 0; i < NG; ++i)
    want[i] = 2.0 * W[i % 5] * x[i];
  fd_gradient(weighted_n, x, NG, fd);
  memset(dx, 0, sizeof dx);
  __enzyme_autodiff((void *)weighted, x, dx, NG);
  CHECK_ARRAY(dx, want, fd, NG);
  CHECK_DERIV(__enzyme_fwddiff((void *)weighted, x, v, NG),
              dotn(want, v, NG), fd_dir(weighted_n, x, v, NG));

  for (int i = 0; i < NG; ++i)
    want[i] = 1.75 * C[i % 6] * W[i % 5] * cos(W[i % 5] * x[i]);
  fd_gradient(mixed_n, x, NG, fd);
  memset(dx, 0, sizeof dx);
  __enzyme_autodiff((void *)mixed, x, dx, NG);
  CHECK_ARRAY(dx, want, fd, NG);
  CHECK_DERIV(__enzyme_fwddiff((void *)mixed, x, v, NG), dotn(want, v, NG),
              fd_dir(mixed_n, x, v, NG));

  /* the tables were not touched */
  CHECK_TRUE(W[0] == 1.5 && W[4] == 1.0 && SCALE == 1.75);
  return report();
}
