// RUN: %not %fluxion-clang -O2 -c %s -o /dev/null 2>&1 | %FileCheck %s
// RUN: %not %fluxion-clang -O0 -c %s -o /dev/null 2>&1 | %FileCheck %s
double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);
double mystery(double);

// The error points at the call inside the differentiated function.
double uses_mystery(double x) {
  // CHECK: unknown-function.c:[[@LINE+1]]:10: error: fluxion: no derivative rule for external function 'mystery'
  return mystery(x) * x;
}

double grad(double x) { return __enzyme_autodiff((void *)uses_mystery, x); }
double tangent(double x) { return __enzyme_fwddiff((void *)uses_mystery, x, 1.0); }
