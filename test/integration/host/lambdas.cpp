// C++ lambdas: the builtins called inside a lambda body; a lambda's call
// operator differentiated through a static helper; captureless lambdas
// converted to function pointers (`+[]`, a generic lambda, a local
// variable); lambdas with captures inside the differentiated function.
#include "check.h"
#include <cmath>

int enzyme_const;
int enzyme_out;

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

// lambdas with captures inside the differentiated function:
// g(t) = a t^2 + x, result g(x) + g(a) = a x^2 + x + a^3 + x
static double withcap(double x, double a) {
  auto g = [&](double t) { return a * t * t + x; };
  return g(x) + g(a);
}

int main() {
  for (int i = 0; i < 3; ++i) {
    double x = -0.6 + 0.8 * i;

    // the builtins inside lambda bodies
    auto d = [](double t) { return __enzyme_autodiff((void *)sq, t); };
    auto t = [](double u) { return __enzyme_fwddiff((void *)sq, u, 1.0); };
    CHECK_DERIV(d(x), dsq(x), fd1(sq, x));
    CHECK_DERIV(t(x), dsq(x), fd1(sq, x));
    double a = 0.5 + i;
    auto dcap = [&](double u) {
      return __enzyme_autodiff((void *)withcap, enzyme_out, u, enzyme_const, a);
    };
    CHECK_DERIV(dcap(x), 2.0 * a * x + 2.0, NAN);
    auto dtmpl = [](double u) { return __ad_autodiff<double>((void *)sq, u); };
    CHECK_DERIV(dtmpl(x), dsq(x), fd1(sq, x));

    // a lambda's call operator through a static helper
    CHECK_DERIV(__enzyme_autodiff((void *)lam_helper, x), dlam(x),
                fd1(lam_helper, x));
    CHECK_DERIV(__enzyme_fwddiff((void *)lam_helper, x, 1.0), dlam(x),
                fd1(lam_helper, x));

    // captureless lambdas converted to function pointers
    double (*fp)(double) = +[](double u) { return std::exp(u) * u; };
    CHECK_DERIV(__enzyme_autodiff((void *)fp, x), std::exp(x) * (x + 1.0),
                fd1(fp, x));
    CHECK_DERIV(__enzyme_fwddiff((void *)fp, x, 1.0), std::exp(x) * (x + 1.0),
                fd1(fp, x));
    CHECK_DERIV(
        __enzyme_autodiff((void *)+[](double u) { return u * u * u; }, x),
        3.0 * x * x, NAN);
    double (*gp)(double) = [](auto u) { return u * u * u * u; };
    CHECK_DERIV(__enzyme_autodiff((void *)gp, x), 4.0 * x * x * x, fd1(gp, x));
    CHECK_DERIV(__enzyme_fwddiff((void *)gp, x, 1.0), 4.0 * x * x * x,
                fd1(gp, x));
    auto lp = static_cast<double (*)(double, double)>(
        [](double u, double v) { return u * std::tanh(v); });
    CHECK_DERIV(__enzyme_autodiff((void *)lp, enzyme_const, x, 0.3),
                x * (1.0 - std::tanh(0.3) * std::tanh(0.3)), NAN);
    CHECK_DERIV(__enzyme_fwddiff((void *)lp, x, 1.0, 0.3, 0.0), std::tanh(0.3),
                NAN);

    // lambdas with captures inside the differentiated function
    CHECK_DERIV(
        __enzyme_autodiff((void *)withcap, enzyme_out, x, enzyme_const, a),
        2.0 * a * x + 2.0, NAN);
    CHECK_DERIV(
        __enzyme_autodiff((void *)withcap, enzyme_const, x, enzyme_out, a),
        x * x + 3.0 * a * a, NAN);
    CHECK_DERIV(__enzyme_fwddiff((void *)withcap, x, 1.0, a, 1.0),
                2.0 * a * x + 2.0 + x * x + 3.0 * a * a, NAN);
  }
  return report();
}
