// A function pointer that reaches the builtin through a parameter of a
// static helper resolves when every call of the helper passes the same
// function; a helper visible to other files does not.
// RUN: %fluxion-clang -O0 -S -emit-llvm %s -o - | %FileCheck %s
// RUN: %not %fluxion-clang -O0 -DEXPORTED -c %s -o /dev/null 2>&1 | %FileCheck %s --check-prefix=EXPORTED
double __enzyme_autodiff(void *, ...);
static double cube(double x) { return x * x * x; }

#ifdef EXPORTED
double derivative(double (*f)(double), double x) {
  // EXPORTED: function-parameter.c:[[@LINE+1]]:10: error: fluxion: the first argument of __enzyme_autodiff must be a function known at compile time
  return __enzyme_autodiff((void *)f, x);
}
#else
// CHECK-LABEL: define internal {{.*}} @derivative(
// CHECK: call { double } @fluxion.grad.cube.out(
static double derivative(double (*f)(double), double x) {
  return __enzyme_autodiff((void *)f, x);
}
#endif

double use(double x) { return derivative(cube, x) + derivative(cube, 2 * x); }
