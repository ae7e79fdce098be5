// What enzyme::autodiff differentiates: a lambda converted to a function
// pointer (+lambda), a function pointer held in a variable, function
// template instances, lambdas with captures (the captures are constant),
// generic lambdas, and function objects with state, in both modes;
// enzyme::primal_call.
#include "check.hpp"

#include <enzyme/enzyme>

#include <cmath>
#include <type_traits>
#include <vector>

using enzyme::tuple;

template <class T> T rosen(T x, T y) {
  return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x);
}
static double rosen_x(double x, double y) {
  return -2 * (1 - x) - 400 * x * (y - x * x);
}
static double rosen_y(double x, double y) { return 200 * (y - x * x); }

struct affine {
  double a, b;
  double operator()(double x) const { return a * std::sin(x) + b * x; }
};

int main() {
  for (double x : {-0.7, 0.45, 1.3}) {
    const double y = 0.8 - 0.3 * x;

    // +lambda: a function pointer.
    auto plus = +[](double u, double v) { return u * std::exp(v); };
    auto rp = enzyme::autodiff<enzyme::Reverse>(plus, enzyme::Active{x},
                                                enzyme::Active{y});
    CHECK_DERIV(enzyme::get<0>(enzyme::get<0>(rp)), std::exp(y), NAN);
    CHECK_DERIV(enzyme::get<1>(enzyme::get<0>(rp)), x * std::exp(y), NAN);
    auto fp = enzyme::autodiff<enzyme::Forward, enzyme::Duplicated<double>>(
        plus, enzyme::Const{x}, enzyme::Duplicated{y, 1.0});
    CHECK_DERIV(enzyme::get<0>(fp), x * std::exp(y), NAN);
    CHECK_DERIV(enzyme::get<1>(fp), x * std::exp(y), NAN);

    // Function template instances, directly and through a variable.
    auto rr = enzyme::autodiff<enzyme::Reverse>(
        rosen<double>, enzyme::Active{x}, enzyme::Active{y});
    CHECK_DERIV(enzyme::get<0>(enzyme::get<0>(rr)), rosen_x(x, y),
                central([&](double t) { return rosen(t, y); }, x));
    CHECK_DERIV(enzyme::get<1>(enzyme::get<0>(rr)), rosen_y(x, y),
                central([&](double t) { return rosen(x, t); }, y));
    double (*held)(double, double) = rosen<double>;
    auto rh = enzyme::autodiff<enzyme::ReverseWithPrimal>(
        held, enzyme::Const{x}, enzyme::Active{y});
    CHECK_DERIV(enzyme::get<1>(enzyme::get<0>(rh)), rosen_y(x, y), NAN);
    CHECK_DERIV(enzyme::get<1>(rh), rosen(x, y), NAN);
    auto ff = enzyme::autodiff<enzyme::Forward>(
        rosen<float>, enzyme::Duplicated{float(x), 1.0f},
        enzyme::Const{float(y)});
    static_assert(std::is_same_v<decltype(ff), tuple<float>>);
    CHECK_FLOAT(enzyme::get<0>(ff), float(rosen_x(float(x), float(y))));

    // A lambda capturing by value and by reference: captured data is
    // constant.
    const double c = 2.5;
    std::vector<double> w{1.0, -0.5, 0.25};
    auto capt = [c, &w](double u, const double *p) {
      double s = 0;
      for (size_t i = 0; i < w.size(); ++i)
        s += w[i] * p[i] * p[i];
      return c * u * u * u + u * s;
    };
    double p[3] = {0.5, x, -y}, dp[3] = {};
    auto rl = enzyme::autodiff<enzyme::ReverseWithPrimal>(
        capt, enzyme::Active{x}, enzyme::Duplicated<const double *>{p, dp});
    double wp = 0;
    for (int i = 0; i < 3; ++i)
      wp += w[i] * p[i] * p[i];
    CHECK_DERIV(enzyme::get<0>(enzyme::get<0>(rl)), 3 * c * x * x + wp,
                central([&](double t) { return capt(t, p); }, x));
    for (int i = 0; i < 3; ++i)
      CHECK_DERIV(dp[i], 2 * x * w[i] * p[i], NAN);
    CHECK_DERIV(enzyme::get<1>(rl), capt(x, p), NAN);
    double tp[3] = {1, 0, 0};
    auto fl = enzyme::autodiff<enzyme::Forward>(
        capt, enzyme::Duplicated{x, 0.0},
        enzyme::Duplicated<const double *>{p, tp});
    CHECK_DERIV(enzyme::get<0>(fl), 2 * x * w[0] * p[0], NAN);

    // A generic lambda, instantiated for the argument types.
    auto gen = [](auto u, auto v) { return u * u * v; };
    auto rg = enzyme::autodiff<enzyme::Reverse>(gen, enzyme::Active{x},
                                                enzyme::Active{y});
    CHECK_DERIV(enzyme::get<0>(enzyme::get<0>(rg)), 2 * x * y, NAN);
    CHECK_DERIV(enzyme::get<1>(enzyme::get<0>(rg)), x * x, NAN);

    // A function object with state, const.
    const affine af{1.5, -0.5};
    auto ra = enzyme::autodiff<enzyme::Reverse>(af, enzyme::Active{x});
    CHECK_DERIV(enzyme::get<0>(enzyme::get<0>(ra)), 1.5 * std::cos(x) - 0.5,
                central(af, x));
    CHECK_DERIV(enzyme::get<0>(enzyme::autodiff<enzyme::Forward>(
                    af, enzyme::Duplicated{x, 2.0})),
                2 * (1.5 * std::cos(x) - 0.5), NAN);

    // The primal at the wrapped values.
    CHECK_TRUE(enzyme::primal_call(rosen<double>, enzyme::Active{x},
                                   enzyme::Const{y}) == rosen(x, y));
  }
  return report();
}
