// At -O2 the gradient of a straight-line function is plain code: no tape, no
// call of the primal, each transcendental evaluated once.
// RUN: %fluxion-clang -O2 -S -emit-llvm %s -o - | %FileCheck %s
#include <math.h>
double __enzyme_autodiff(void *, ...);

double f(double x, double y) { return sin(x) * x * y + exp(y); }

// CHECK-LABEL: define {{.*}} @gradient(
// CHECK-NOT: alloca
// CHECK-NOT: call {{.*}} @f(
// CHECK-NOT: malloc
// CHECK: call double @sin(
// CHECK-NOT: call double @sin(
// CHECK: ret
void gradient(double x, double y, double *dx, double *dy) {
  typedef struct { double dx, dy; } grad;
  grad (*g)(void *, ...) = (grad (*)(void *, ...))__enzyme_autodiff;
  grad r = g((void *)f, x, y);
  *dx = r.dx;
  *dy = r.dy;
}
