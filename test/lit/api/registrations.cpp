// The FLUXION_* registration macros take any expression naming a function
// (qualified names, template instances, a cast or a signature picking an
// overload) and may be used inside a namespace and several times per file:
// the registrations are read (the derivatives call the rules, which -O2
// inlines) and removed.
// RUN: %fluxion-clang++ -std=c++17 -O0 -S -emit-llvm %s -o - | %FileCheck %s --check-prefixes=CHECK,O0
// RUN: %fluxion-clang++ -std=c++17 -O2 -S -emit-llvm %s -o - | %FileCheck %s
#include <fluxion/ad.h>

extern "C" double __enzyme_fwddiff(void *, ...);
extern "C" double __enzyme_autodiff(void *, ...);

namespace phys {
double potential(double x);
double potential(double x, double y);
double potential_fwd(double x, double dx) { return 3 * x * x * dx; }
FLUXION_FORWARD_RULE_SIG(double(double), potential, potential_fwd);
struct Body {
  static double energy(double v);
};
template <class Real> Real kinetic(Real v);
double log_value(double x);
} // namespace phys

double energy_fwd(double v, double dv) { return v * dv; }
void energy_aug(double) {}
double energy_rev(double v, double dret) { return v * dret; }
FLUXION_FORWARD_RULE(phys::Body::energy, energy_fwd);
FLUXION_REVERSE_RULE(phys::Body::energy, energy_aug, energy_rev);
double kinetic_fwd(double v, double dv) { return 2 * v * dv; }
FLUXION_FORWARD_RULE(phys::kinetic<double>, kinetic_fwd);
double pair_fwd(double x, double dx, double y, double dy) { return dx + dy; }
FLUXION_FORWARD_RULE(static_cast<double (*)(double, double)>(phys::potential),
                     pair_fwd);
FLUXION_INACTIVE(phys::log_value);

double f(double x) {
  return phys::potential(x) + phys::Body::energy(x) + phys::kinetic(x) +
         phys::potential(x, x) + phys::log_value(x);
}
double g(double x) { return phys::Body::energy(x); }

// CHECK-NOT: __enzyme_register
// CHECK-NOT: __fluxion_inactive
// CHECK-LABEL: define {{.*}} @_Z7tangentd(
double tangent(double x) { return __enzyme_fwddiff((void *)f, x, 1.0); }
// CHECK-LABEL: define {{.*}} @_Z7adjointd(
double adjoint(double x) { return __enzyme_autodiff((void *)g, x); }
// O0-DAG: call {{.*}} @_ZN4phys13potential_fwdEdd(
// O0-DAG: call {{.*}} @_Z10energy_fwddd(
// O0-DAG: call {{.*}} @_Z11kinetic_fwddd(
// O0-DAG: call {{.*}} @_Z8pair_fwddddd(
// O0-DAG: call {{.*}} @_Z10energy_revdd(
// CHECK-NOT: __enzyme_register
