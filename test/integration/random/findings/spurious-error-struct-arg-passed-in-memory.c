/* finding: a small struct argument of the builtin that clang passes in
 *   memory (`ptr byval`) because the variadic call has run out of argument
 *   registers is rejected, although the differentiated function receives
 *   it in registers: "argument 9 of __enzyme_fwddiff has type ptr but
 *   parameter 4 of 'f' has type double" (or "... has type <2 x float>").
 * class: spurious error (the program is fine).
 * from: run.py --shapes all, seeds 5, 1021 ({double a; int k} after a
 *   marker, two pointers and an int: the tangent struct is the 7th integer
 *   argument), 1099 ({float a, b, c} after three float pairs: the 9th SSE
 *   argument); about 3% of the programs with a struct parameter; reduced
 *   by hand.
 * status: fixed: the pieces are loaded from the memory (test/integration/host/struct_args_in_memory.c).
 * reproduce: build/bin/fluxion-clang -O0 test/integration/random/findings/spurious-error-struct-arg-passed-in-memory.c -o prog -lm && ./prog
 * levels: O0, O1, O2, O3 (the call's ABI lowering does not depend on -O).
 * expected: prints "3"; got: the error above.  With one scalar fewer (the
 *   tangent struct still in xmm6/xmm7) it compiles and is right.
 * diagnosis (guess): the call-site lowering matches the builtin's IR
 *   arguments to f's coerced parameters one by one; the x86-64 ABI passes
 *   a struct that no longer fits in the remaining 6 GPR / 8 SSE registers
 *   of a variadic call as `ptr byval(%struct.S)`, so the lowering should
 *   load the coerced pieces (here double, double) from that pointer.
 *   Reverse mode has the same problem: __enzyme_autodiff(f, enzyme_dup,
 *   p, dp, enzyme_dup, q, dq, (S){2, 3}) for f(double *, double *, S) with
 *   S = {double a; int k} (markers take integer registers f does not have).
 */
#include <stdio.h>
typedef struct { double a, b; } S;
double __enzyme_fwddiff(void *, ...);

double f(double x, double y, double z, S s) { return x * y * z * s.a * s.b; }

int main(void) {
  double t = __enzyme_fwddiff((void *)f, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0,
                              (S){2, 3}, (S){1, 0});
  printf("%g (expected 3)\n", t);
  return t != 3;
}
