/* note: reverse mode has no way to get the adjoint of a struct parameter
 *   that the ABI passes in memory (three doubles: `ptr byval(%struct.S)` in
 *   f's own signature): "missing shadow for parameter 1 of 'f'" without a
 *   marker, "parameter 1 of 'f' is marked out but has type ptr; out needs a
 *   floating-point value" with enzyme_out.  With enzyme_dup and a shadow
 *   struct passed by value, the caller's shadow variable receives the
 *   adjoints at -O0 (6 3 2) but stays 0 at -O2 (C passes a copy).
 *   Forward mode (struct, tangent struct) is right at every level.
 * class: clean error (names the parameter), consistent with Enzyme's
 *   byval-as-pointer rule, but unlike the register-passed structs
 *   ({double a, b}, {double a; int k}), whose adjoints are returned; the
 *   message talks about a shadow where the user passed a value.
 * from: run.py --shapes all, seed 11 (before gen.py stopped passing three
 *   doubles to f in double programs; helpers still take and return them).
 * status: open, low priority (plugin of 05:49).
 * reproduce: build/bin/fluxion-clang -O0 test/integration/random/findings/note-byval-struct-param-reverse.c -o prog -lm
 *   (the error; -DFWD_ONLY compiles and prints "2")
 * levels: all.
 * suggestion: accept an active byval struct as `out` (load its fields,
 *   return their adjoints in the result struct, as for register-passed
 *   structs), or say "struct passed in memory: ... ".
 */
#include <stdio.h>
typedef struct { double a, b, c; } S;
typedef struct { double d0, d1, d2; } G;
double __enzyme_fwddiff(void *, ...);
G __enzyme_autodiff(void *, ...);

double f(S s) { return s.a * s.b * s.c; }

int main(void) {
  double t = __enzyme_fwddiff((void *)f, (S){1, 2, 3}, (S){0, 0, 1});
  printf("%g (expected 2)\n", t);
#ifndef FWD_ONLY
  G g = __enzyme_autodiff((void *)f, (S){1, 2, 3});
  printf("%g %g %g (expected 6 3 2)\n", g.d0, g.d1, g.d2);
  return !(t == 2 && g.d0 == 6 && g.d1 == 3 && g.d2 == 2);
#endif
  return t != 2;
}
