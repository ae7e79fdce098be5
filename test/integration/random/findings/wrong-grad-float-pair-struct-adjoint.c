/* finding: reverse mode: the adjoint of a {float a, b} parameter (one
 *   <2 x float> in the ABI) next to another out parameter lands at the
 *   wrong offset of the returned struct; when the result struct is
 *   returned through memory the call is rejected instead.
 * class: wrong answer (silent) / spurious error.
 * from: run.py --shapes all, seeds 126, 1475, 1493 (mismatch rev: one
 *   field 0, the next holds the other's value), 32, 1004 ("returns the
 *   adjoints of N out parameters; declare it to return a struct of them"
 *   with 5 or 6 floats declared, also for {float a, b, c} =
 *   (<2 x float>, float)); reduced by hand.
 * status: fixed by 8b16127 "Struct arguments: float pairs land where C puts
 *   them"; kept as a regression program.
 * reproduce: build/bin/fluxion-clang -O0 test/integration/random/findings/wrong-grad-float-pair-struct-adjoint.c -o prog -lm && ./prog
 * levels: O0, O1, O2, O3.
 * expected: "6 3 2" (d/dx, d/ds.a, d/ds.b of x * s.a * s.b at 1, {2, 3});
 *   got: "6 0 3".  A lone {float a, b} parameter is right (its adjoint
 *   returned as the struct itself), as are {double a, b} pairs.
 *   Declaring the builtin to return 6 floats (or {float; S; float...}) for
 *   f(float, S, float, float, float) is rejected: "returns the adjoints of
 *   5 out parameters; declare it to return a struct of them".
 * diagnosis (guess): the return aggregate is built as the LLVM struct
 *   { float, <2 x float> }, where the vector is 8-byte aligned (offset 8),
 *   while the C struct the caller declares has the pair at offset 4 (and
 *   the count check compares LLVM elements with the C fields).  Flatten a
 *   vector-typed out parameter into its float lanes (or use [2 x float])
 *   when laying out the adjoint struct, and count lanes in the check.
 */
#include <stdio.h>
typedef struct { float a, b; } S;
typedef struct { float dx; S ds; } G;
G __enzyme_autodiff(void *, ...);

float f(float x, S s) { return x * s.a * s.b; }

int main(void) {
  G g = __enzyme_autodiff((void *)f, 1.0f, (S){2, 3});
  printf("%g %g %g (expected 6 3 2)\n", g.dx, g.ds.a, g.ds.b);
  return !(g.dx == 6 && g.ds.a == 3 && g.ds.b == 2);
}
