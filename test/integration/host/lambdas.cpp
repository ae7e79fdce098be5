// C++ lambdas: the builtins called inside lambda bodies (with and without
// captures); a lambda's call operator differentiated through a static
// helper.  lambda_ptr.cpp converts captureless lambdas to function pointers;
// lambda_capture.cpp differentiates functions that use capturing lambdas.
#include "check.h"
#include <cmath>

extern "C" double __enzyme_autodiff(void *, ...);
extern "C" double __enzyme_fwddiff(void *, ...);
template <typename R, typename... A> R __ad_autodiff(void *, A...);

static double sq(double x) { return x * x * std::cos(x); }
static double dsq(double x) {
  return 2.0 * x * std::cos(x) - x * x * std::sin(x);
}

static auto lam = [](double x) { return x * std::sin(x); };
static double lam_helper(double x) { return lam(x); }
static double dlam(double x) { return std::sin(x) + x * std::cos(x); }

int main() {
  for (int i = 0; i < 3; ++i) {
    double x = -0.6 + 0.8 * i;

    // the builtins inside lambda bodies
    auto d = [](double t) { return __enzyme_autodiff((void *)sq, t); };
    auto t = [](double u) { return __enzyme_fwddiff((void *)sq, u, 1.0); };
    CHECK_DERIV(d(x), dsq(x), fd1(sq, x));
    CHECK_DERIV(t(x), dsq(x), fd1(sq, x));
    double y = 0.5 + i;
    auto dcap = [&](double u) { return __enzyme_autodiff((void *)sq, u) * y; };
    CHECK_DERIV(dcap(x), dsq(x) * y, NAN);
    auto dtmpl = [](double u) { return __ad_autodiff<double>((void *)sq, u); };
    CHECK_DERIV(dtmpl(x), dsq(x), fd1(sq, x));

    // a lambda's call operator through a static helper
    CHECK_DERIV(__enzyme_autodiff((void *)lam_helper, x), dlam(x),
                fd1(lam_helper, x));
    CHECK_DERIV(__enzyme_fwddiff((void *)lam_helper, x, 1.0), dlam(x),
                fd1(lam_helper, x));
  }
  return report();
}
