// Globals are inactive: storing an active value into one would lose its
// derivative, so it is an error naming the global.
// RUN: %not %fluxion-clang -O0 -c %s -o /dev/null 2>&1 | %FileCheck %s
// RUN: %not %fluxion-clang -O2 -c %s -o /dev/null 2>&1 | %FileCheck %s
double __enzyme_autodiff(void *, ...);
double last_value;

double remember(double x) {
  // CHECK-DAG: global-store.c:[[@LINE+1]]:{{[0-9]+}}: error: fluxion: active value the result of 'fmul' is stored to memory whose derivative is not tracked ('last_value')
  last_value = x * x;
  return last_value + x;
}

double gradient(double x) { return __enzyme_autodiff((void *)remember, x); }

// A pointer that may address an active buffer or a global: the global's
// shadow only absorbs derivatives, so storing an active value through it is
// an error too.
double spare[4];
double store_either(double *y, int i) {
  double *p = i > 0 ? y : spare;
  // CHECK-DAG: global-store.c:[[@LINE+1]]:{{[0-9]+}}: error: fluxion: active value {{.*}} may be stored to global variable 'spare', whose derivative is not tracked
  p[0] = y[1] * y[1];
  return p[0];
}

void gradient_either(double *y, double *dy, int i) {
  __enzyme_autodiff((void *)store_either, y, dy, i);
}
