/* finding: wrong gradient: an in-place scan x[i] += g(x[i - 1]) repeated by
 *   an outer loop (directly, or as a call of a noinline helper holding the
 *   scan) differentiates every repetition with the values of the last one.
 * class: wrong answer (silent).
 * from: run.py --shapes all, seeds 1035 and 1141 (a scan in a classic `for`,
 *   a noinline scan helper called in a counting-down loop); reduced by hand.
 * status: fixed by daf9f41 "Reverse sweep re-reads a load in a loop only if
 *   no offset is written" (plugin of 04:48); kept as a regression program.
 * reproduce: build/bin/fluxion-clang -O0 test/integration/random/findings/wrong-grad-nested-inplace-scan.c -o prog -lm && ./prog
 * levels: f (outer count n - 1) and g (noinline callee in the loop): wrong
 *   at O0, O1, O2, O3, O2 -ffast-math.  With a constant outer count (2) the
 *   inline nest is wrong at O0/O1 only (O2 unrolls the outer loop).
 * expected: "-1.26 -1.46 1" twice (x = {a, b, c}: x[2] ends as
 *   c + (b + a^2)^2 + (b + 2 a^2)^2); got: "-1.152 -1.28 1" twice.
 * diagnosis (guess): the reverse sweep of the inner loop reads x[i - 1] as
 *   it is after the whole nest (or from a cache indexed by the inner
 *   iteration only), not as it was in each outer iteration: -1.28 is
 *   2 b2 + 2 b2 with b2 = b + 2 a^2, the final x[1], where the first pass
 *   needs b1 = b + a^2.  Values loaded in an inner loop and overwritten by a
 *   later outer iteration must be cached per (outer, inner) iteration; the
 *   same for a callee's tape when the call sits in a loop.
 */
#include <math.h>
#include <stdio.h>
void __enzyme_autodiff(void *, ...);

double f(double *x, int n) {
  for (int k = 0; k < n - 1; ++k)
    for (int i = 1; i < n; ++i)
      x[i] += x[i - 1] * x[i - 1];
  return x[2];
}

static __attribute__((noinline)) void scan(double *p, int n) {
  for (int i = 1; i < n; ++i)
    p[i] += p[i - 1] * p[i - 1];
}
double g(double *x, int n) {
  for (int k = 0; k < n - 1; ++k)
    scan(x, n);
  return x[2];
}

static int check(const double *dx) {
  printf("%g %g %g (expected -1.26 -1.46 1)\n", dx[0], dx[1], dx[2]);
  return fabs(dx[0] + 1.26) > 1e-12 || fabs(dx[1] + 1.46) > 1e-12;
}
int main(void) {
  double x[3] = {0.3, -0.5, 0.7}, dx[3] = {0};
  double y[3] = {0.3, -0.5, 0.7}, dy[3] = {0};
  __enzyme_autodiff((void *)f, x, dx, 3);
  __enzyme_autodiff((void *)g, y, dy, 3);
  return check(dx) | check(dy);
}
