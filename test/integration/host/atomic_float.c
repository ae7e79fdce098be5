/* `*acc += v` on an _Atomic double compiles to a compare-and-swap loop over
 * the value's bits; it is differentiated as the atomic add it is, in both
 * modes. */
#include "check.h"

void __enzyme_autodiff(void *, ...);
void __enzyme_fwddiff(void *, ...);

static void accumulate(const double *x, _Atomic double *acc, int n) {
  for (int i = 0; i < n; i++)
    *acc += x[i] * x[i];
  *acc -= 0.5 * x[0];
}

int main(void) {
  double x[3] = {2.0, 3.0, -1.5};
  double dx[3] = {0, 0, 0};
  _Atomic double acc = 1.0, dacc = 1.0;
  __enzyme_autodiff((void *)accumulate, x, dx, &acc, &dacc, 3);
  CHECK_DERIV(dx[0], 2 * x[0] - 0.5, NAN);
  CHECK_DERIV(dx[1], 2 * x[1], NAN);
  CHECK_DERIV(dx[2], 2 * x[2], NAN);
  CHECK_DERIV(acc, 1.0 + 4.0 + 9.0 + 2.25 - 1.0, NAN);

  double tx[3] = {1.0, 0.5, 2.0};
  _Atomic double acc2 = 0.0, tacc = 0.0;
  __enzyme_fwddiff((void *)accumulate, x, tx, &acc2, &tacc, 3);
  CHECK_DERIV(tacc, 2 * x[0] * tx[0] + 2 * x[1] * tx[1] + 2 * x[2] * tx[2] -
                        0.5 * tx[0],
              NAN);
  return report();
}
