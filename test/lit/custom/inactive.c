// A function marked inactive carries no derivative: no error for its
// missing body, and its result is a constant for the derivative.
// RUN: %fluxion-clang -O2 -c %s -o /dev/null
// RUN: %fluxion-clang -O0 -S -emit-llvm %s -o - | %FileCheck %s
#include <fluxion/ad.h>
double __enzyme_autodiff(void *, ...);
double noise(double seed);
FLUXION_INACTIVE(noise);

double f(double x) { return x * x + noise(x); }

// CHECK-LABEL: define {{.*}} @gradient(
// CHECK: call { double } @fluxion.grad.f.out(
double gradient(double x) { return __enzyme_autodiff((void *)f, x); }
// CHECK-NOT: __fluxion_inactive_
