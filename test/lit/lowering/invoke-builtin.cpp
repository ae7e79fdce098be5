// A builtin call that clang emits as an invoke (a destructor must run on
// unwinding) is lowered like a call.
// RUN: %fluxion-clang++ -O0 -S -emit-llvm %s -o - | %FileCheck %s
#include <vector>
extern "C" double __ad_autodiff(void *, ...);
static double square(double x) { return x * x; }

// CHECK-LABEL: define {{.*}} @main(
// CHECK: call { double } @fluxion.grad._ZL6squared.out(
// CHECK-NOT: __ad_autodiff
int main() {
  std::vector<double> v(3);
  v[0] = __ad_autodiff((void *)square, 2.0);
  return v[0] != 4.0;
}
