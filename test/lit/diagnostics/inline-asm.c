// RUN: %not %fluxion-clang -O2 -c %s -o /dev/null 2>&1 | %FileCheck %s
double __enzyme_autodiff(void *, ...);

double opaque(double x) {
  double y;
  // CHECK: inline-asm.c:[[@LINE+1]]:3: error: fluxion: cannot differentiate inline assembly that uses an active value
  __asm__("movsd %1, %0" : "=x"(y) : "x"(x));
  return y * x;
}

double grad(double x) { return __enzyme_autodiff((void *)opaque, x); }
