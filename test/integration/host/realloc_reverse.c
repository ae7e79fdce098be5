/* realloc of memory holding active values, in both modes: a buffer grown
 * one element at a time in a loop (its contents move as it grows), and a
 * buffer shrunk after it is filled. Checked against central finite
 * differences of the primal. */
#include "check.h"
#include <stdlib.h>

double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);

/* Appends x_i^2 and sin(x_i) * running value, then sums the squares. */
static double grow(const double *x, int n) {
  double *buffer = NULL;
  int size = 0;
  double running = 1.0;
  for (int i = 0; i < n; ++i) {
    buffer = realloc(buffer, (size + 2) * sizeof(double));
    buffer[size++] = x[i] * x[i];
    running = running * 0.5 + sin(x[i]);
    buffer[size++] = running;
  }
  double s = 0;
  for (int i = 0; i < size; ++i)
    s += buffer[i] * buffer[(i + 1) % size];
  free(buffer);
  return s;
}

static double shrink(const double *x, int n) {
  double *buffer = malloc(2 * n * sizeof(double));
  for (int i = 0; i < 2 * n; ++i)
    buffer[i] = x[i % n] * (i + 1);
  buffer = realloc(buffer, n * sizeof(double));
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += exp(buffer[i] * 0.1);
  free(buffer);
  return s;
}

static const double X[4] = {0.4, -0.7, 1.1, 0.25};
static double grow4(const double *x) { return grow(x, 4); }
static double shrink4(const double *x) { return shrink(x, 4); }

int main(void) {
  double dg[4] = {0, 0, 0, 0}, ds[4] = {0, 0, 0, 0};
  __enzyme_autodiff((void *)grow, X, dg, 4);
  __enzyme_autodiff((void *)shrink, X, ds, 4);
  double t[4] = {0.5, 1.0, -0.25, 2.0};
  double tg = __enzyme_fwddiff((void *)grow, X, t, 4);
  double ts = __enzyme_fwddiff((void *)shrink, X, t, 4);
  for (int j = 0; j < 4; ++j) {
    CHECK_DERIV(dg[j], NAN, fd_partial(grow4, X, 4, j));
    CHECK_DERIV(ds[j], 0.1 * (j + 1) * exp(0.1 * (j + 1) * X[j]),
                fd_partial(shrink4, X, 4, j));
  }
  CHECK_DERIV(tg, NAN, fd_dir(grow4, X, t, 4));
  CHECK_DERIV(ts, NAN, fd_dir(shrink4, X, t, 4));
  return report();
}
