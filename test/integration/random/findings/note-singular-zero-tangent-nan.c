/* note (not counted as an engine bug): NaN derivative at a singular point
 *   of a rule whose incoming tangent is exactly zero.
 * from: run.py seeds 71, 1449, 1473, 1498 (before gen.py stopped producing
 *   exact zeros: x - x, (double)i with i = 0, zero-initialized local
 *   arrays; cbrt now only gets positive arguments), shrunk by run.py.
 * reproduce: build/bin/fluxion-clang -O0 test/integration/random/findings/note-singular-zero-tangent-nan.c -o prog -lm && ./prog
 *   prints "fwd nan rev nan"; the true derivative is 0 (f(x) = sqrt(2) * d * |d|
 *   with d = x - x = 0 for every x).
 * diagnosis: hypot's partials x / hypot(x, y) are 0 / 0 at the origin (cbrt's
 *   is 1 / 0 at 0); the rules multiply them by the tangent / adjoint, and
 *   NaN * 0 (inf * 0) is NaN even though the tangent is an exact zero.
 *   Enzyme behaves the same by default (it has a "strong zero" option for
 *   this).  Guarding the product (select tangent == 0 ? 0 : partial *
 *   tangent) in the hypot / cbrt / sqrt / pow rules would make these exact.
 */
#include <math.h>
#include <stdio.h>
double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);
double f(double x) {
  double d = x - x;
  return d * hypot(d, d);
}
int main(void) {
  double t = __enzyme_fwddiff((void *)f, 0.3, 1.0);
  double g = __enzyme_autodiff((void *)f, 0.3);
  printf("fwd %g rev %g\n", t, g);
  return t == 0.0 && g == 0.0 ? 0 : 1;
}
