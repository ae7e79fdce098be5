/* finding: a value ternary between a load of a dup array and a load of an
 *   enzyme_const array, `c ? x[0] : y[i]`, is simplified into a load
 *   through `select(c, x, y + i)`; the reverse sweep's shadow of that
 *   pointer is `select(c, dx, null)`, and the adjoint of the load is added
 *   through it when the const side was taken: a write to address 8.
 * class: run-time crash (SIGSEGV in fluxion.grad.f...).  The explicit
 *   pointer select `p = c ? y : x` is a clean error since 03c4a2f; this
 *   form is neither rejected nor right.  Other value selects get that
 *   error although the C code selects values, not pointers (spurious
 *   error, O0 to O3, seed 6221):
 *     double f(double a, double *x, double *y, int n) {   // x, y const
 *       double *h = malloc(8 * sizeof(double));
 *       h[0] = h[1] = a;
 *       double v = 0;
 *       for (int i = 0; i < n; ++i) v += (x[i] > 0 ? y[i] : h[i]);
 *       free(h);
 *       return v;
 *     }
 *   "a pointer may address memory with derivatives or parameter 3, which
 *   is marked const; pass that memory as a duplicated argument".
 * from: run.py --shapes all, seeds 6371 (a helper `p[i] += (i % 2 == 0 ?
 *   p[0] : q[...])` called with a const q) and 6221; shrunk by run.py and
 *   reduced by hand.
 * reproduce: build/bin/fluxion-clang -O0 test/integration/random/findings/crash-select-of-loads-dup-const.c -o prog -lm && ./prog
 * levels: O0, O1, O2, O3 crash.  (With `v += x[i] * (i == 0 ? x[0] : y[i])`
 *   instead, O0 and O1 crash and O2/O3 are right.)
 * expected: "2 1" (x[0] ends as 2 x0, x[1] as x1 + y1; f = 2 x0 + x1 + y1);
 *   got: SIGSEGV.
 * status: fixed: constant memory gets its own address as a stand-in shadow.
 * diagnosis (guess): the shadow of a pointer select whose one side is an
 *   enzyme_const argument uses null for that side; in reverse mode the
 *   inactive side needs a sink (or the accumulation must be guarded by the
 *   select's condition), as for a select with a constant table, and the
 *   error of 03c4a2f should not fire for selects that the simplification
 *   made out of a value select (or should fire here too, consistently).
 */
#include <stdio.h>
int enzyme_const;
void __enzyme_autodiff(void *, ...);

double f(double *x, double *y, int n) {
  for (int i = 0; i < n; ++i)
    x[i] += (i % 2 == 0 ? x[0] : y[i]);
  return x[0] + x[1];
}

int main(void) {
  double x[2] = {2, 3}, dx[2] = {0}, y[2] = {5, 7};
  __enzyme_autodiff((void *)f, x, dx, enzyme_const, y, 2);
  printf("%g %g (expected 2 1)\n", dx[0], dx[1]);
  return !(dx[0] == 2 && dx[1] == 1);
}
