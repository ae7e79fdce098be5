// A pointer chosen between a duplicated argument and one marked const has
// no shadow on the const side: writing through it is an error naming the
// argument, rather than writing the duplicated argument's shadow on both
// sides. (Reading through it is split into a read of each side.)
// RUN: %not %fluxion-clang -O0 -c %s -o /dev/null 2>&1 | %FileCheck %s
// RUN: %not %fluxion-clang -O2 -c %s -o /dev/null 2>&1 | %FileCheck %s
extern int enzyme_const, enzyme_dup;
void __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);

double pick(double *x, double *y) {
  // CHECK: mixed-activity-pointer.c:[[@LINE+1]]:{{[0-9]+}}: error: fluxion: a pointer may address memory with derivatives or parameter 1, which is marked const; pass that memory as a duplicated argument
  double *p = y[0] > 0 ? y : x;
  p[1] = y[0] * y[0];
  return p[1] * y[1];
}

void gradient(double *x, double *y, double *dy) {
  __enzyme_autodiff((void *)pick, enzyme_const, x, enzyme_dup, y, dy);
}
