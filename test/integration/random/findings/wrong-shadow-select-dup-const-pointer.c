/* finding: a pointer selected between a dup argument and an enzyme_const
 *   argument (p = c ? y : x) gets the dup argument's shadow on both sides:
 *   loads through p when p == x are differentiated as loads of y.
 * class: wrong answer (silent); in generated programs also a crash
 *   (seed 117 at O0: SIGSEGV inside fluxion.grad.f.const.dup[const]; it
 *   passes once x is dup).
 * from: run.py --shapes all, seed 117 (psel between y and the enzyme_const
 *   array x); reduced by hand.
 * status: since 03c4a2f "A pointer mixing a duplicated and a const argument
 *   is an error" a clean error at the select ("a pointer may address memory
 *   with derivatives or parameter 1, which is marked const; pass that memory
 *   as a duplicated argument"), which is right; gen.py now makes such an
 *   argument dup.
 * reproduce: build/bin/fluxion-clang -O2 test/integration/random/findings/wrong-shadow-select-dup-const-pointer.c -o prog -lm && ./prog
 * levels: O0, O1, O2, O3; forward and reverse mode.
 * expected: "dy = 2, tangent = 2" (y[0] = -1 < 0 selects x, f = x[0] * y[0]);
 *   got: "dy = 1, tangent = 1" (the adjoint y[0] of p[0] lands in dy[0]).
 * A static const table or a local constant array in place of x is right.
 * diagnosis (guess): the shadow of an enzyme_const pointer argument is
 *   missing (or aliased to the primal's), and the shadow of the select is
 *   built as select(c, dy, <shadow of x>) with the missing side folded to
 *   dy; it should be a select with an inactive side (a zero/sink shadow
 *   for reverse mode, a zero tangent for forward mode), as for tables.
 */
#include <stdio.h>
int enzyme_const, enzyme_dup;
void __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);

double f(double *x, double *y) {
  const double *p = y[0] > 0 ? y : x;
  return p[0] * y[0];
}

int main(void) {
  double x[1] = {2}, y[1] = {-1}, dy[1] = {0}, ty[1] = {1};
  __enzyme_autodiff((void *)f, enzyme_const, x, enzyme_dup, y, dy);
  double t = __enzyme_fwddiff((void *)f, enzyme_const, x, enzyme_dup, y, ty);
  printf("dy = %g, tangent = %g (expected 2, 2)\n", dy[0], t);
  return !(dy[0] == 2 && t == 2);
}
