/* finding: internal-error: "a synthesized derivative is malformed:
 *   Incompatible argument and return types for 'returned' attribute
 *   ptr @fluxion.fwd.f.dup"
 * from: run.py seeds 5, 143, 1044, 1273, 1407, 1486 ... (about 3% of the
 *   generated programs at O2; every one is a function returning one of its
 *   double parameters unchanged on some path), shrunk by hand.
 * reproduce: build/bin/fluxion-clang -O2 test/integration/random/findings/internal-error-returned-attr-O2.c -o prog -lm && ./prog
 * status: fixed by 4165d47 "Drop the returned attribute from derivatives'
 *   parameters" while this tester ran; kept as a regression program.
 * expected: prints "1 1" and exits 0; before the fix: compile error.
 * diagnosis: at O2 clang marks the parameter of an identity function
 *   `returned` (double noundef returned %0).  Forward mode copies the
 *   primal's parameter attributes onto the derivative's parameters, but the
 *   derivative returns the tangent (and here a pointer-typed signature:
 *   @fluxion.fwd.f.dup), so `returned` no longer matches the return type and
 *   the verifier rejects the function.  The attribute should be dropped (or
 *   remapped) when cloning parameter attributes.  Reverse mode of the same
 *   function is fine.
 */
#include <stdio.h>
double __enzyme_fwddiff(void *, ...);
double __enzyme_autodiff(void *, ...);
__attribute__((noinline)) double f(double a) { return a; }
int main(void) {
  double t = __enzyme_fwddiff((void *)f, 0.5, 1.0);
  double g = __enzyme_autodiff((void *)f, 0.5);
  printf("%g %g\n", t, g);
  return t == 1.0 && g == 1.0 ? 0 : 1;
}
