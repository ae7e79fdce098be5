// RUN: %not %fluxion-clang -O2 -c %s -o /dev/null 2>&1 | %FileCheck %s
// RUN: %not %fluxion-clang -O0 -c %s -o /dev/null 2>&1 | %FileCheck %s
#include <fluxion/ad.h>
extern int enzyme_out, enzyme_dup;
double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);

double scale(double *p, int n) { return p[0] * n; }
double square(double x) { return x * x; }

double out_on_pointer(double *p, double *dp) {
  // CHECK-DAG: marker-mismatch.c:[[@LINE+1]]:10: error: fluxion: parameter 1 of 'scale' is marked out but has type pointer; out needs a floating-point value
  return __enzyme_autodiff((void *)scale, enzyme_out, p, 3);
}

double out_in_forward(double x) {
  // CHECK-DAG: marker-mismatch.c:[[@LINE+1]]:10: error: fluxion: parameter 1 of 'square' is marked out, which is only valid in reverse mode
  return __enzyme_fwddiff((void *)square, enzyme_out, x);
}

double dup_scalar_in_reverse(double x, double dx) {
  // CHECK-DAG: marker-mismatch.c:[[@LINE+1]]:10: error: fluxion: parameter 1 of 'square' has type double and cannot be marked dup; pass active scalars as out in reverse mode
  return __enzyme_autodiff((void *)square, ad_dup, x, dx);
}

double wrong_kind(double x) {
  // CHECK-DAG: marker-mismatch.c:[[@LINE+1]]:10: error: fluxion: argument 2 of __enzyme_autodiff has type double but parameter 1 of 'scale' has type pointer
  return __enzyme_autodiff((void *)scale, ad_const, x, 3);
}

double marker_for_value(double x) {
  // CHECK-DAG: marker-mismatch.c:[[@LINE+1]]:10: error: fluxion: activity marker given where the value of parameter 1 of 'square' was expected
  return __enzyme_autodiff((void *)square, enzyme_out, enzyme_out, x);
}
