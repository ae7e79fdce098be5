// Vector mode is forward only and needs a constant width.
// RUN: %not %fluxion-clang -O0 -c %s -o /dev/null 2>&1 | %FileCheck %s
extern int enzyme_width;
double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);
double square(double x) { return x * x; }

double reverse_width(double x) {
  // CHECK-DAG: vector-mode-errors.c:[[@LINE+1]]:10: error: fluxion: vector mode (ad_width) is only available in forward mode
  return __enzyme_autodiff((void *)square, enzyme_width, 2, x);
}

double runtime_width(double x, int n) {
  // CHECK-DAG: vector-mode-errors.c:[[@LINE+1]]:10: error: fluxion: ad_width must be followed by a constant between 1 and 64
  return __enzyme_fwddiff((void *)square, enzyme_width, n, x, 1.0);
}

double scalar_result(double x) {
  // CHECK-DAG: vector-mode-errors.c:[[@LINE+1]]:10: error: fluxion: __enzyme_fwddiff in vector mode returns 2 tangents; declare it to return a struct of them
  return __enzyme_fwddiff((void *)square, enzyme_width, 2, x, 1.0, 2.0);
}
