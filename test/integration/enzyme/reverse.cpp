// Reverse mode through Enzyme's C++ interface: several Active scalars,
// Const arguments anywhere in the list (an integer, a reference), float,
// ReverseWithPrimal, explicit result activities (Active, Const), a function
// object with overloads, and the exact result types: a tuple whose first
// element has an entry per argument (the adjoint of an Active one, nodiff
// for a Const one, the shadow of a Duplicated one).
#include "check.hpp"

#include <enzyme/enzyme>

#include <cmath>
#include <type_traits>

using enzyme::nodiff;
using enzyme::tuple;

// Not symmetric in any two arguments, so a swapped adjoint shows.
static double f3(double x, double y, double z) {
  return x * std::sin(y) + y * z * z + std::exp(x * z);
}

// x^n e^(b x), n a Const integer.
static double powexp(double x, int n, double b) {
  double p = 1;
  for (int i = 0; i < n; ++i)
    p *= x;
  return p * std::exp(b * x);
}

static double scaled(double x, const double &k) { return k * x * x * x; }

// Returns x0^2 and writes x0 x1 to *y: both the result and the output
// carry adjoints.
static double store(const double *x, double *y) {
  *y = x[0] * x[1];
  return x[0] * x[0];
}

static float ff(float x, float y) { return x * x * y + std::sin(y); }

// A non-const call operator, overloaded: the argument types pick one.
struct overloaded {
  double operator()(double x) { return 10 * x * x; }
  float operator()(float x) { return 2 * x; }
};

int main() {
  for (double x : {-1.3, 0.4, 2.1}) {
    const double y = 0.7 * x + 0.3, z = 1.1 - 0.5 * x;
    auto fx = [&](double t) { return f3(t, y, z); };
    auto fy = [&](double t) { return f3(x, t, z); };
    auto fz = [&](double t) { return f3(x, y, t); };
    const double dfx = std::sin(y) + z * std::exp(x * z);
    const double dfy = x * std::cos(y) + z * z;
    const double dfz = 2 * y * z + x * std::exp(x * z);

    auto all = enzyme::autodiff<enzyme::Reverse>(
        f3, enzyme::Active{x}, enzyme::Active{y}, enzyme::Active{z});
    static_assert(
        std::is_same_v<decltype(all), tuple<tuple<double, double, double>>>);
    auto [dx, dy, dz] = enzyme::get<0>(all);
    CHECK_DERIV(dx, dfx, central(fx, x));
    CHECK_DERIV(dy, dfy, central(fy, y));
    CHECK_DERIV(dz, dfz, central(fz, z));

    // Const first and last.
    auto mid = enzyme::autodiff<enzyme::Reverse>(
        f3, enzyme::Const{x}, enzyme::Active{y}, enzyme::Const{z});
    static_assert(
        std::is_same_v<decltype(mid), tuple<tuple<nodiff, double, nodiff>>>);
    CHECK_DERIV(enzyme::get<1>(enzyme::get<0>(mid)), dfy, central(fy, y));

    // Const in the middle, an integer.
    const double b = 0.5;
    auto pe = enzyme::autodiff<enzyme::Reverse>(
        powexp, enzyme::Active{x}, enzyme::Const{3}, enzyme::Active{b});
    static_assert(
        std::is_same_v<decltype(pe), tuple<tuple<double, nodiff, double>>>);
    CHECK_DERIV(enzyme::get<0>(enzyme::get<0>(pe)),
                (3 * x * x + b * x * x * x) * std::exp(b * x),
                central([&](double t) { return powexp(t, 3, b); }, x));
    CHECK_DERIV(enzyme::get<2>(enzyme::get<0>(pe)),
                x * x * x * x * std::exp(b * x),
                central([&](double t) { return powexp(x, 3, t); }, b));

    // Const by reference.
    const double k = 1.7;
    auto sc = enzyme::autodiff<enzyme::Reverse>(
        scaled, enzyme::Active{x}, enzyme::Const<const double &>{k});
    CHECK_DERIV(enzyme::get<0>(enzyme::get<0>(sc)), 3 * k * x * x,
                central([&](double t) { return scaled(t, k); }, x));

    // The primal result comes last.
    auto wp = enzyme::autodiff<enzyme::ReverseWithPrimal>(
        f3, enzyme::Active{x}, enzyme::Const{y}, enzyme::Active{z});
    static_assert(std::is_same_v<decltype(wp),
                                 tuple<tuple<double, nodiff, double>, double>>);
    CHECK_DERIV(enzyme::get<1>(wp), f3(x, y, z), NAN);
    CHECK_DERIV(enzyme::get<0>(enzyme::get<0>(wp)), dfx, central(fx, x));
    CHECK_DERIV(enzyme::get<2>(enzyme::get<0>(wp)), dfz, central(fz, z));

    // The default result activity, given explicitly.
    auto ex = enzyme::autodiff<enzyme::Reverse, enzyme::Active<double>>(
        f3, enzyme::Active{x}, enzyme::Const{y}, enzyme::Const{z});
    CHECK_DERIV(enzyme::get<0>(enzyme::get<0>(ex)), dfx, central(fx, x));

    // A Const result: only the output's adjoint flows back.
    double in[2] = {x, y}, din[2] = {0, 0}, out = 0, dout = 1;
    auto cr = enzyme::autodiff<enzyme::Reverse, enzyme::Const<double>>(
        store, enzyme::Duplicated<const double *>{in, din},
        enzyme::Duplicated<double *>{&out, &dout});
    static_assert(
        std::is_same_v<decltype(cr), tuple<tuple<const double *, double *>>>);
    CHECK_TRUE(enzyme::get<0>(enzyme::get<0>(cr)) == din);
    CHECK_TRUE(enzyme::get<1>(enzyme::get<0>(cr)) == &dout);
    CHECK_DERIV(din[0], y, NAN);
    CHECK_DERIV(din[1], x, NAN);
    CHECK_DERIV(out, x * y, NAN);
    CHECK_TRUE(dout == 0); // the output's seed is consumed
    // ... and with the result Active (seeded with 1) as well.
    din[0] = din[1] = 0;
    dout = 1;
    auto ar = enzyme::autodiff<enzyme::ReverseWithPrimal>(
        store, enzyme::Duplicated<const double *>{in, din},
        enzyme::Duplicated<double *>{&out, &dout});
    CHECK_DERIV(din[0], y + 2 * x, NAN);
    CHECK_DERIV(din[1], x, NAN);
    CHECK_DERIV(enzyme::get<1>(ar), x * x, NAN);
    // With a Const result there is no primal entry: nodiff, as in Enzyme.
    auto cp =
        enzyme::autodiff<enzyme::ReverseWithPrimal, enzyme::Const<double>>(
            store, enzyme::Duplicated<const double *>{in, din},
            enzyme::Duplicated<double *>{&out, &dout});
    static_assert(std::is_same_v<decltype(enzyme::get<1>(cp)), nodiff &>);

    // float
    const float xf = float(x), yf = float(y);
    auto fl = enzyme::autodiff<enzyme::Reverse>(ff, enzyme::Active{xf},
                                                enzyme::Active{yf});
    static_assert(std::is_same_v<decltype(fl), tuple<tuple<float, float>>>);
    CHECK_FLOAT(enzyme::get<0>(enzyme::get<0>(fl)), 2 * xf * yf);
    CHECK_FLOAT(enzyme::get<1>(enzyme::get<0>(fl)), xf * xf + std::cos(yf));

    // A function object: the overload for the argument's type.
    auto od = enzyme::autodiff<enzyme::Reverse>(overloaded{},
                                                enzyme::Active<double>(x));
    CHECK_DERIV(enzyme::get<0>(enzyme::get<0>(od)), 20 * x, NAN);
    auto of = enzyme::autodiff<enzyme::Reverse>(overloaded{},
                                                enzyme::Active<float>(xf));
    static_assert(std::is_same_v<decltype(of), tuple<tuple<float>>>);
    CHECK_FLOAT(enzyme::get<0>(enzyme::get<0>(of)), 2.0f);
  }
  return report();
}
