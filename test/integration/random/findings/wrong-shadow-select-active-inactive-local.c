/* finding: a pointer selected between an active array and an inactive
 *   local array that the function also writes (so not a constant table),
 *   p = c ? t : y, gets y's shadow on both sides: loads through p when
 *   p == t are differentiated as loads of y.
 * class: wrong answer (silent), forward and reverse mode.
 * from: run.py --shapes all seed 7232 (O2, O3; a float program with
 *   aliased arguments: `p7 = (0.5 > v0) ? t0 : y; v0 += p7[0];` and a
 *   later loop `t0[...] += -0.205`); shrunk by run.py to a double program
 *   and reduced by hand (this form fails at every level).
 * status: fixed by stand-in shadows (was open).  Same family as
 *   wrong-shadow-select-dup-const-pointer.c (now an error), but the
 *   inactive side here is a local array: no error, and the answer is wrong.
 *   With a local array that is never written (a constant) it is right.
 * reproduce: build/bin/fluxion-clang -O0 test/integration/random/findings/wrong-shadow-select-active-inactive-local.c -o prog -lm && ./prog
 * levels: O0, O1, O2, O3.
 * expected: "tangent 0.25, gradient 0.25" (y[1] = 0.3 < 0.5 selects t, so
 *   f = t[0] * y[0] = 0.25 y[0]); got: "tangent 2.25, gradient 2.25"
 *   (d(p[0]) taken as dy[0]: 0.25 + 1 * y[0]).
 * diagnosis (guess): t's values are inactive, so t gets no shadow, and the
 *   shadow of select(c, t, y) is built from the one side that has one;
 *   the inactive side needs a zero shadow (forward: a zeroed shadow copy or
 *   a zero tangent for loads through it; reverse: a sink), as constant
 *   tables already get.
 */
#include <stdio.h>
double __enzyme_fwddiff(void *, ...);
void __enzyme_autodiff(void *, ...);

double f(double *y, int n) {
  double t[2] = {0.25, 0.375};
  const double *p = y[1] < 0.5 ? t : y;
  double v = p[0];
  for (int i = 0; i < n; ++i)
    t[i] += 1.0;
  return v * y[0];
}

int main(void) {
  double y[2] = {2, 0.3}, ty[2] = {1, 0}, dy[2] = {0, 0};
  double d = __enzyme_fwddiff((void *)f, y, ty, 2);
  __enzyme_autodiff((void *)f, y, dy, 2);
  printf("tangent %g, gradient %g (expected 0.25 0.25)\n", d, dy[0]);
  return !(d == 0.25 && dy[0] == 0.25);
}
