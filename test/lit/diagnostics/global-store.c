// Globals are inactive: storing an active value into one would lose its
// derivative, so it is an error naming the global.
// RUN: %not %fluxion-clang -O0 -c %s -o /dev/null 2>&1 | %FileCheck %s
double __enzyme_autodiff(void *, ...);
double last_value;

double remember(double x) {
  // CHECK: global-store.c:[[@LINE+1]]:{{[0-9]+}}: error: fluxion: active value the result of 'fmul' is stored to memory whose derivative is not tracked ('last_value')
  last_value = x * x;
  return last_value + x;
}

double gradient(double x) { return __enzyme_autodiff((void *)remember, x); }
