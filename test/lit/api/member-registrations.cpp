// FLUXION_*_MEMBER registers non-static member functions (the global is a
// struct holding the member function pointer); the derivative calls the
// rule, which takes `this` and its shadow first. A virtual member function
// has no address to register: that is an error, not an ignored rule.
// RUN: %fluxion-clang++ -std=c++17 -O0 -S -emit-llvm %s -o - | %FileCheck %s
// RUN: %not %fluxion-clang++ -std=c++17 -O0 -DVIRTUAL -c %s -o /dev/null 2>&1 | %FileCheck %s --check-prefix=VIRTUAL
#include <fluxion/ad.h>

extern "C" double __enzyme_fwddiff(void *, ...);
extern "C" int enzyme_const;

struct Spring {
  double k;
  double energy(double x) const;
  double energy(double x, double y) const;
  virtual double area(double x) const { return x * x; }
};
double energy_fwd(const Spring *s, const Spring *, double x, double dx) {
  return s->k * x * dx;
}
FLUXION_FORWARD_RULE_MEMBER(
    static_cast<double (Spring::*)(double) const>(&Spring::energy), energy_fwd);
#ifdef VIRTUAL
// VIRTUAL: error: fluxion: __enzyme_register_derivative_&Spring::area.1: expected {function, forward rule}
FLUXION_FORWARD_RULE_MEMBER(&Spring::area, energy_fwd);
#endif

double f(const Spring *s, double x) { return s->energy(x); }

// CHECK-NOT: __enzyme_register
// CHECK-LABEL: define {{.*}} @_Z7tangentPK6Springd(
double tangent(const Spring *s, double x) {
  return __enzyme_fwddiff((void *)f, enzyme_const, s, x, 1.0);
}
// CHECK: call {{.*}} @_Z10energy_fwdPK6SpringS1_dd(ptr
