// RUN: %not %fluxion-clang -O2 -c %s -o /dev/null 2>&1 | %FileCheck %s
// RUN: %not %fluxion-clang -O0 -c %s -o /dev/null 2>&1 | %FileCheck %s
double __enzyme_autodiff(void *, ...);
double __ad_fwddiff(void *, ...);

double mul(double x, double y) { return x * y; }

double too_few(double x) {
  // CHECK-DAG: argument-count.c:[[@LINE+1]]:10: error: fluxion: too few arguments to __enzyme_autodiff: 'mul' takes 2 parameters, no value given for parameter 2
  return __enzyme_autodiff((void *)mul, x);
}

double too_many(double x) {
  // CHECK-DAG: argument-count.c:[[@LINE+1]]:10: error: fluxion: too many arguments to __enzyme_autodiff: 'mul' takes 2 parameters
  return __enzyme_autodiff((void *)mul, x, x, x);
}

double missing_tangent(double x) {
  // CHECK-DAG: argument-count.c:[[@LINE+1]]:10: error: fluxion: missing shadow for parameter 2 of 'mul'
  return __ad_fwddiff((void *)mul, x, 1.0, x);
}
