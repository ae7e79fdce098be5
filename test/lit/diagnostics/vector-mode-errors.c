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

// SIMD packets have no vector-mode tangents yet: an error at the first
// packet operation and at the store that uses it, never a crash of the
// compiler (the store asked for the tangent the error left unmade).
typedef double packet __attribute__((vector_size(16)));
typedef struct {
  double d[2];
} two;
extern int enzyme_dup;
two __enzyme_fwddiff_two(void *, ...);
void square_packet(const double *x, double *y) {
  packet v;
  __builtin_memcpy(&v, x, sizeof v);
  // CHECK-DAG: vector-mode-errors.c:[[@LINE+1]]:9: error: fluxion: vector mode does not support active values of type <2 x double> yet
  v = v * v;
  __builtin_memcpy(y, &v, sizeof v);
}
void packet_tangents(const double *x, const double *tx0, const double *tx1,
                     double *y, double *ty0, double *ty1) {
  __enzyme_fwddiff_two((void *)square_packet, enzyme_width, 2, enzyme_dup, x,
                       tx0, tx1, enzyme_dup, y, ty0, ty1);
}
