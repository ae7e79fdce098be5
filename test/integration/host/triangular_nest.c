/* Reverse mode of loop nests whose inner trip count depends on the outer
 * counter, with the last value of the nest read after it: the reverse loop's
 * counter must not stand in for the value the forward sweep ended with.
 * Also a pointer-walking inner loop (`for (p = x; p < x + n; ++p)`), whose
 * trip count scalar evolution sees only as a pointer difference. Checked
 * against closed forms and central finite differences. */
#include "check.h"

void __enzyme_autodiff(void *, ...);

/* v = 0.5 + sum_i sum_{k<=i} y_k; f = v^2 */
static double triangle(const double *y, int n) {
  double v = 0.5;
  for (int i = 0; i < n; i++)
    for (int k = 0; k <= i; k++)
      v += y[k];
  return v * v;
}

/* Leaves the nest early once the partial sum passes a bound. */
static double triangle_early(const double *y, int n) {
  double v = 0.25;
  for (int i = 0; i < n; i++)
    for (int k = i; k < n; k++) {
      v += y[k] * y[i];
      if (v > 4.0)
        return v * y[0];
    }
  return v * v;
}

static double walk(const double *x, int n) {
  double v = 0;
  for (int i = 0; i < n; i++)
    for (const double *p = x; p < x + n; ++p)
      v += erfc(0.5) * *p * x[i];
  return v;
}

static const double Y[3] = {0.4, -0.3, 0.8};
static double triangle3(const double *y) { return triangle(y, 3); }
static double early3(const double *y) { return triangle_early(y, 3); }
static double walk3(const double *y) { return walk(y, 3); }

int main(void) {
  double dy[3] = {0, 0, 0};
  __enzyme_autodiff((void *)triangle, Y, dy, 3);
  /* v = 0.5 + 3 y0 + 2 y1 + y2 */
  double v = 0.5 + 3 * Y[0] + 2 * Y[1] + Y[2];
  for (int j = 0; j < 3; ++j)
    CHECK_DERIV(dy[j], 2 * v * (3 - j), fd_partial(triangle3, Y, 3, j));

  const double big[3] = {1.5, 1.2, 0.9};
  const double *inputs[2] = {Y, big};
  for (int t = 0; t < 2; ++t) {
    double de[3] = {0, 0, 0};
    __enzyme_autodiff((void *)triangle_early, inputs[t], de, 3);
    for (int j = 0; j < 3; ++j)
      CHECK_DERIV(de[j], NAN, fd_partial(early3, inputs[t], 3, j));
  }

  double dw[3] = {0, 0, 0};
  __enzyme_autodiff((void *)walk, Y, dw, 3);
  double sum = Y[0] + Y[1] + Y[2];
  for (int j = 0; j < 3; ++j)
    CHECK_DERIV(dw[j], 2 * erfc(0.5) * sum, fd_partial(walk3, Y, 3, j));
  return report();
}
