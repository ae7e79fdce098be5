// RUN: %not %fluxion-clang -O2 -c %s -o /dev/null 2>&1 | %FileCheck %s
// RUN: %not %fluxion-clang -O0 -c %s -o /dev/null 2>&1 | %FileCheck %s
double __enzyme_autodiff(void *, ...);

double through_pointer(double (*fn)(double), double x) {
  // CHECK: nonconstant-function.c:[[@LINE+1]]:10: error: fluxion: the first argument of __enzyme_autodiff must be a function known at compile time
  return __enzyme_autodiff((void *)fn, x);
}
