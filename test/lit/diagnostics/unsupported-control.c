// Code Fluxion cannot differentiate is an error at the user's line, not a
// crash or a wrong derivative: calls of variadic functions with active
// arguments, computed gotos, addresses masked as integers, and
// compare-and-swap other than an atomic add.
// RUN: %not %fluxion-clang -O2 -c %s -o /dev/null 2>&1 | %FileCheck %s
// RUN: %not %fluxion-clang -O0 -c %s -o /dev/null 2>&1 | %FileCheck %s
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);

__attribute__((noinline)) double sum_squares(int n, ...) {
  va_list ap;
  va_start(ap, n);
  double s = 0;
  for (int i = 0; i < n; i++) {
    double v = va_arg(ap, double);
    s += v * v;
  }
  va_end(ap);
  return s;
}
double variadic(double x) {
  // CHECK-DAG: unsupported-control.c:[[@LINE+1]]:10: error: fluxion: cannot differentiate a call of variadic function 'sum_squares'; give it a fixed parameter list
  return sum_squares(2, x, 3.0 * x);
}
double d_variadic(double x) { return __enzyme_autodiff((void *)variadic, x); }

double jumps(double x, int n) {
  static void *labels[2] = {&&square, &&sine};
  double v = x;
  for (int i = 0; i < n; i++) {
    // CHECK-DAG: unsupported-control.c:[[@LINE+1]]:{{[0-9]+}}: error: fluxion: cannot differentiate a computed goto (a jump to a label address) in 'jumps'; use a switch instead
    goto *labels[i % 2];
  square:
    v = v * x;
    continue;
  sine:
    v = sin(v);
  }
  return v;
}
double d_jumps(double x) { return __enzyme_fwddiff((void *)jumps, x, 1.0, 3); }

double masked(double *x) {
  // CHECK-DAG: unsupported-control.c:[[@LINE+1]]:{{[0-9]+}}: error: fluxion: an address of memory holding derivatives is computed with integer operations Fluxion cannot follow
  double *p = (double *)(((uintptr_t)x + 8) & ~(uintptr_t)7);
  return p[0] * x[0];
}
double d_masked(double *x, double *dx) {
  return __enzyme_autodiff((void *)masked, x, dx);
}

void scale_atomically(const double *x, _Atomic double *acc) {
  // CHECK-DAG: unsupported-control.c:[[@LINE+1]]:8: error: fluxion: cannot differentiate this compare-and-swap on memory holding derivatives
  *acc *= x[0];
}
void d_scale(double *x, double *dx, _Atomic double *acc, _Atomic double *dacc) {
  __enzyme_autodiff((void *)scale_atomically, x, dx, acc, dacc);
}
