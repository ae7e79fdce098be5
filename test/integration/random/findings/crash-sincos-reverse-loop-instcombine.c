/* finding: compiler crash at -O2/-O3: the forward derivative of a
 *   counting-down loop over cos(x[i]) computes cos and its derivative with
 *   one llvm.sincos call; the loop vectorizer widens it to
 *   llvm.sincos.v2f64 of a reversed load (a shufflevector), and
 *   InstCombine's "intrinsic of a shuffle -> shuffle of the intrinsic"
 *   fold rebuilds it as `<2 x { <2 x double>, <2 x double> }> @llvm.sincos`
 *   ("Intrinsic has incorrect return type"); the broken module crashes a
 *   later pass (VectorCombine: llvm::VectorType::get) or the verifier.
 * class: compiler crash (an LLVM 22 InstCombine bug that Fluxion's
 *   llvm.sincos exposes; plain clang never forms llvm.sincos here).
 * from: run.py --shapes all,-struct seed 3118 (O2, O3, O2 -ffast-math), a
 *   loop `for (i = n - 1; i >= 0; --i) la[i] = cos(t0[i]);`; reduced by
 *   hand, and on IR with llvm-reduce to:
 *     %2 = shufflevector <2 x double> %0, <2 x double> zeroinitializer, <2 x i32> <i32 1, i32 0>
 *     %3 = call { <2 x double>, <2 x double> } @llvm.sincos.v2f64(<2 x double> %2)
 *   which `opt -passes=instcombine` turns into invalid IR.
 * status: fixed by 1e0fc22 "Split llvm.sincos in loops before the vectorizers
 *   run" (the LLVM fold itself remains); kept as a regression program.
 * reproduce: build/bin/fluxion-clang -O2 test/integration/random/findings/crash-sincos-reverse-loop-instcombine.c -o prog -lm && ./prog
 * levels: O2, O3, O2 -ffast-math crash; O0 and O1 compile and print
 *   "-0.841471 (expected -0.841471)".
 * fix (suggestion): emit sin and cos separately (or libm's sincos through
 *   memory) instead of llvm.sincos on targets where the vectorizers run
 *   after Fluxion, or keep the call out of loops the vectorizer widens;
 *   worth an upstream report of the InstCombine fold.
 */
#include <math.h>
#include <stdio.h>
double __enzyme_fwddiff(void *, ...);

static void f(double *y, const double *x, int n) {
  for (int i = n - 1; i >= 0; --i)
    y[i] = cos(x[i]);
}

__attribute__((noinline)) void df(double *y, double *dy, double *x, double *dx, int n) {
  __enzyme_fwddiff((void *)f, y, dy, x, dx, n);
}

int main(void) {
  double x[4] = {1, 2, 3, 4}, dx[4] = {1, 1, 1, 1}, y[4], dy[4];
  df(y, dy, x, dx, 4);
  printf("%g (expected %g)\n", dy[0], -sin(1.0));
  return fabs(dy[0] + sin(1.0)) > 1e-12;
}
