// FLUXION_* registrations of C++ functions: a namespaced function, a static
// member function, a function template instance, the two overloads of an
// overloaded function (one picked by FLUXION_*_SIG, one by a cast), rules
// registered from inside a namespace and from outside it, non-static member
// functions (FLUXION_*_MEMBER, an overloaded one picked by a cast), an
// inactive namespaced function and a checkpointed namespaced step function. The
// rules are deliberately distinguishable: forward rules return 3x the true
// derivative, reverse rules 5x, so the checks prove the rule, not the body,
// was used (the bodies are in this file and would differentiate fine).
#include "check.h"
#include <fluxion/ad.h>

#include <cmath>

extern "C" double __enzyme_autodiff(void *, ...);
extern "C" double __enzyme_fwddiff(void *, ...);
// Exact float signatures (no promotion through `...`); the plugin takes any
// function whose name contains __ad_autodiff / __ad_fwddiff.
extern "C" float __ad_autodiff_float(void *, float);
extern "C" float __ad_fwddiff_float(void *, float, float);

namespace phys {

double potential(double x) { return x * x * x; }
float potential(float x) { return x * x; }

struct Body {
  static double energy(double v) { return 0.5 * v * v; }
};

template <class Real> Real kinetic(Real v) { return std::sin(v); }
template double kinetic<double>(double);

double noise(double x) { return std::cos(x); }

void step(double *y, double h) { y[0] = y[0] + h * std::sin(y[0]); }

// potential(double): 3x and 5x of 3 x^2.
double potential_fwd(double x, double dx) { return 3 * (3 * x * x) * dx; }
void potential_aug(double) {}
double potential_rev(double x, double dret) { return 5 * (3 * x * x) * dret; }
// Registered from inside the namespace, the overload picked by signature.
FLUXION_FORWARD_RULE_SIG(double(double), potential, potential_fwd);
FLUXION_REVERSE_RULE_SIG(double(double), phys::potential, potential_aug,
                         potential_rev);

} // namespace phys

// potential(float): 3x and 5x of 2 x, picked by a cast.
static float potential_fwd_float(float x, float dx) { return 3 * (2 * x) * dx; }
static void potential_aug_float(float) {}
static float potential_rev_float(float x, float dret) {
  return 5 * (2 * x) * dret;
}
FLUXION_FORWARD_RULE(static_cast<float (*)(float)>(phys::potential),
                     potential_fwd_float);
FLUXION_REVERSE_RULE(static_cast<float (*)(float)>(phys::potential),
                     potential_aug_float, potential_rev_float);

// Body::energy: 3x and 5x of v, with a tape-carrying augmented rule.
namespace rules {
struct energy_tape {
  void *tape;
  double result;
};
double energy_fwd(double v, double dv) { return 3 * v * dv; }
energy_tape energy_aug(double v) { return {nullptr, phys::Body::energy(v)}; }
double energy_rev(double v, double dret, void *) { return 5 * v * dret; }
} // namespace rules
FLUXION_FORWARD_RULE(phys::Body::energy, rules::energy_fwd);
FLUXION_REVERSE_RULE(phys::Body::energy, rules::energy_aug, rules::energy_rev);

// kinetic<double>: 3x and 5x of cos(v).
static double kinetic_fwd(double v, double dv) { return 3 * std::cos(v) * dv; }
static void kinetic_aug(double) {}
static double kinetic_rev(double v, double dret) {
  return 5 * std::cos(v) * dret;
}
FLUXION_FORWARD_RULE(phys::kinetic<double>, kinetic_fwd);
FLUXION_REVERSE_RULE(phys::kinetic<double>, kinetic_aug, kinetic_rev);

// Member functions: the rules take `this` (and its shadow) first.
struct Spring {
  double k;
  double energy(double x) const { return 0.5 * k * x * x; }
  double energy(double x, double y) const {
    return 0.5 * k * (x - y) * (x - y);
  }
  double swing(double x) const { return k * std::sin(x); }
};
static double spring_fwd(const Spring *s, const Spring *, double x, double dx) {
  return 3 * s->k * x * dx;
}
static void spring_aug(const Spring *, const Spring *, double) {}
static double spring_rev(const Spring *s, const Spring *, double x,
                         double dret) {
  return 5 * s->k * x * dret;
}
FLUXION_FORWARD_RULE_MEMBER(
    static_cast<double (Spring::*)(double) const>(&Spring::energy), spring_fwd);
FLUXION_REVERSE_RULE_MEMBER(
    static_cast<double (Spring::*)(double) const>(&Spring::energy), spring_aug,
    spring_rev);
static double swing_fwd(const Spring *s, const Spring *, double x, double dx) {
  return 3 * s->k * std::cos(x) * dx;
}
FLUXION_FORWARD_RULE_MEMBER(&Spring::swing, swing_fwd);

FLUXION_INACTIVE(phys::noise);
FLUXION_CHECKPOINT(phys::step);

static double use_potential(double x) { return phys::potential(x); }
static float use_potential_float(float x) { return phys::potential(x); }
static double use_energy(double v) { return phys::Body::energy(v); }
static double use_kinetic(double v) { return phys::kinetic(v); }
static const Spring spring{2.0};
static double use_spring(double x) { return spring.energy(x); }
static double use_swing(double x) {
  Spring local{1.5};
  return local.swing(x);
}
// noise is constant: d/dx = noise(x) = cos(x), not cos(x) - x sin(x).
static double use_noise(double x) { return x * phys::noise(x); }
static double integrate(double y0) {
  double y = y0;
  for (int i = 0; i < 20; ++i)
    phys::step(&y, 0.05);
  return y;
}

int main() {
  for (int i = 0; i < 4; ++i) {
    double x = 0.3 + 0.4 * i;
    float xf = float(x);
    CHECK_DERIV(__enzyme_fwddiff((void *)use_potential, x, 1.0), 9 * x * x,
                NAN);
    CHECK_DERIV(__enzyme_autodiff((void *)use_potential, x), 15 * x * x, NAN);
    CHECK_DERIV_F(__ad_fwddiff_float((void *)use_potential_float, xf, 1.0f),
                  6 * x, NAN);
    CHECK_DERIV_F(__ad_autodiff_float((void *)use_potential_float, xf), 10 * x,
                  NAN);
    CHECK_DERIV(__enzyme_fwddiff((void *)use_energy, x, 1.0), 3 * x, NAN);
    CHECK_DERIV(__enzyme_autodiff((void *)use_energy, x), 5 * x, NAN);
    CHECK_DERIV(__enzyme_fwddiff((void *)use_kinetic, x, 1.0), 3 * std::cos(x),
                NAN);
    CHECK_DERIV(__enzyme_autodiff((void *)use_kinetic, x), 5 * std::cos(x),
                NAN);
    CHECK_DERIV(__enzyme_fwddiff((void *)use_spring, x, 1.0), 3 * 2.0 * x, NAN);
    CHECK_DERIV(__enzyme_autodiff((void *)use_spring, x), 5 * 2.0 * x, NAN);
    CHECK_DERIV(__enzyme_fwddiff((void *)use_swing, x, 1.0),
                3 * 1.5 * std::cos(x), NAN);
    CHECK_DERIV(__enzyme_autodiff((void *)use_noise, x), std::cos(x), NAN);
    CHECK_DERIV(__enzyme_fwddiff((void *)use_noise, x, 1.0), std::cos(x), NAN);
    // The checkpointed step keeps the true derivative.
    double d = 1, y = x;
    for (int k = 0; k < 20; ++k) {
      d *= 1 + 0.05 * std::cos(y);
      y += 0.05 * std::sin(y);
    }
    CHECK_DERIV(__enzyme_autodiff((void *)integrate, x), d, fd1(integrate, x));
  }
  return report();
}
