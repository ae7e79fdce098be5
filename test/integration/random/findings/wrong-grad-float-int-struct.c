/* finding: a {float a; int k} parameter (one i64 in the x86-64 ABI) is
 *   treated as an inactive integer: reverse mode silently returns a zero
 *   adjoint for s.a; forward mode rejects the tangent struct ("too many
 *   arguments to __enzyme_fwddiff: 'f' takes 1 parameters"; with a marker:
 *   "parameter N of 'f' has type i64 and cannot be marked dup").
 * class: wrong answer (reverse, silent) / spurious error (forward).
 * from: run.py --shapes all, seeds 36, 73, 1058, 1069, 1102, 1441 (float
 *   programs with a top-level {float a; int k}); reduced by hand.
 * status: since 8b16127 a clean error in both modes ("parameter 1 of 'f' is
 *   a struct whose floating members C passes in an integer register; their
 *   derivative cannot be followed there: pass the struct by pointer"): no
 *   more silent zero; following the float bits through the i64 is open.
 * reproduce: build/bin/fluxion-clang -O0 test/integration/random/findings/wrong-grad-float-int-struct.c -o prog -lm && ./prog
 *   (add -DFWD for the forward-mode error)
 * levels: O0, O1, O2, O3.
 * expected: "12" (d/ds.a of s.a * s.a * s.k at {3, 2}); got: "0".
 *   The same code with {double a; int k} (double and i32 in the ABI) is
 *   right in both modes.
 * diagnosis (guess): activity/type analysis goes by the IR parameter type
 *   (i64) instead of following the data: the low 32 bits are a float
 *   (trunc + bitcast to float in the callee), so the parameter is active
 *   and needs a shadow i64 whose low half carries the tangent / adjoint,
 *   as DESIGN.md asks for doubles travelling as integer bits.
 */
#include <stdio.h>
typedef struct { float a; int k; } S;
float __enzyme_fwddiff(void *, ...);
float __enzyme_autodiff(void *, ...);

float f(S s) { return s.a * s.a * s.k; }

int main(void) {
  float g = __enzyme_autodiff((void *)f, (S){3, 2});
#ifdef FWD
  float t = __enzyme_fwddiff((void *)f, (S){3, 2}, (S){1, 0});
  printf("tangent %g (expected 12)\n", t);
#endif
  printf("%g (expected 12)\n", g);
  return g != 12;
}
