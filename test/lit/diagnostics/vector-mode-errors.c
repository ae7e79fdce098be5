// Vector mode is forward only and needs a constant width.
// RUN: %not %fluxion-clang -O0 -c %s -o /dev/null 2>&1 | %FileCheck %s
// RUN: %not %fluxion-clang -O2 -c %s -o /dev/null 2>&1 | %FileCheck %s
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

// A custom forward rule takes one tangent.
__attribute__((noinline)) double marked_square(double x) { return x * x; }
double marked_square_fwd(double x, double dx) { return 2 * x * dx; }
void *__enzyme_register_derivative_marked_square[] = {
    (void *)marked_square, (void *)marked_square_fwd};
typedef struct {
  double d[2];
} two;
two __enzyme_fwddiff_two(void *, ...);
// CHECK-DAG: vector-mode-errors.c:[[@LINE+1]]:41: error: fluxion: vector mode does not support the custom forward rule of 'marked_square' yet
double uses_rule(double x) { return 1 + marked_square(x); }
two rule_tangents(double x) {
  return __enzyme_fwddiff_two((void *)uses_rule, enzyme_width, 2, x, 1.0,
                              2.0);
}
