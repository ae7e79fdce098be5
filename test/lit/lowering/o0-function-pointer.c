// At -O0 clang passes the function through a local variable and a cast; the
// builtin still resolves it, and the markers disappear from the module.
// RUN: %fluxion-clang -O0 -S -emit-llvm %s -o - | %FileCheck %s
double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);
int enzyme_const;
extern int enzyme_out;

double cube(double x, int k) { return x * x * x * k; }

// CHECK-LABEL: define {{.*}} @gradient(
// CHECK: call { double } @fluxion.grad.cube.out.const(
// CHECK-LABEL: define {{.*}} @tangent(
// CHECK: call { double, double } @fluxion.fwd.cube.dup.const(
// CHECK-NOT: @__enzyme_
// CHECK-NOT: @enzyme_out
double gradient(double x) {
  void *fn = (void *)cube;
  return __enzyme_autodiff(fn, enzyme_out, x, enzyme_const, 3);
}
double tangent(double x) {
  double (*fn)(double, int) = cube;
  return __enzyme_fwddiff((void *)fn, x, 1.0, enzyme_const, 3);
}
