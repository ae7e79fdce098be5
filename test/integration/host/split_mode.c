/* Split mode: __ad_augmented runs the forward sweep and returns the tape
 * with the primal result; __ad_reverse takes the adjoint of the result and
 * the tape, accumulates into duplicated buffers and returns the adjoints of
 * the active scalars. Checked against closed forms and finite differences. */
#include "check.h"

typedef struct {
  void *tape;
  double result;
} augmented;
augmented __ad_augmented(void *, ...);
double __ad_reverse(void *, ...);
void *__ad_augmented_void(void *, ...) __asm__("__ad_augmented");
void __ad_reverse_void(void *, ...) __asm__("__ad_reverse");

/* f(x, a) = sum_i sin(a x_i) */
static double f(const double *x, int n, double a) {
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += sin(a * x[i]);
  return s;
}
static double f_of_a(double a) {
  const double x[3] = {0.1, -0.4, 0.7};
  return f(x, 3, a);
}

/* scale(x, y, n): y_i = x_i^2 * 3 */
static void scale(const double *x, double *y, int n) {
  for (int i = 0; i < n; ++i)
    y[i] = 3.0 * x[i] * x[i];
}

int main(void) {
  double x[3] = {0.1, -0.4, 0.7}, dx[3] = {0, 0, 0};
  const double a = 1.5, seed = 2.0;
  augmented fw = __ad_augmented((void *)f, x, dx, 3, a);
  CHECK_DERIV(fw.result, f(x, 3, a), NAN);
  double da = __ad_reverse((void *)f, x, dx, 3, a, seed, fw.tape);
  double want_da = 0;
  for (int i = 0; i < 3; ++i) {
    want_da += seed * x[i] * cos(a * x[i]);
    CHECK_DERIV(dx[i], seed * a * cos(a * x[i]), NAN);
  }
  CHECK_DERIV(da, want_da, seed * fd1(f_of_a, a));

  /* A void function: the tape alone crosses between the sweeps. */
  double y[3], dy[3] = {1.0, -2.0, 0.5}, gx[3] = {0, 0, 0};
  void *tape = __ad_augmented_void((void *)scale, x, gx, y, dy, 3);
  for (int i = 0; i < 3; ++i)
    CHECK_DERIV(y[i], 3.0 * x[i] * x[i], NAN);
  const double seeds[3] = {1.0, -2.0, 0.5};
  __ad_reverse_void((void *)scale, x, gx, y, dy, 3, tape);
  for (int i = 0; i < 3; ++i) {
    CHECK_DERIV(gx[i], 6.0 * x[i] * seeds[i], NAN);
    CHECK_DERIV(dy[i], 0.0, NAN);
  }
  return report();
}
