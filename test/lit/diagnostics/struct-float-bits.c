// A struct whose float member C passes inside an integer register (a float
// and an int travel as one i64) is an error naming the parameter, not an
// inactive integer with a silently zero derivative.
// RUN: %not %fluxion-clang -O0 -c %s -o /dev/null 2>&1 | %FileCheck %s
// RUN: %not %fluxion-clang -O2 -c %s -o /dev/null 2>&1 | %FileCheck %s
typedef struct {
  float a;
  int k;
} scaled;
float __enzyme_autodiff(void *, ...);

float f(scaled s) { return s.a * s.a * s.k; }

float gradient(scaled s) {
  // CHECK: struct-float-bits.c:[[@LINE+1]]:10: error: fluxion: parameter 1 of 'f' is a struct whose floating members C passes in an integer register
  return __enzyme_autodiff((void *)f, s);
}
