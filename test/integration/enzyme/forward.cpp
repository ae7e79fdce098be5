// Forward mode through Enzyme's C++ interface: scalar tangents, directional
// derivatives, Const and DuplicatedNoNeed arguments, Duplicated outputs,
// float, and the result activities: DuplicatedNoNeed (the default for a
// float or double result: the tangent), Duplicated (the primal, then the
// tangent) and Const (the primal; the default for other results).
#include "check.hpp"

#include <enzyme/enzyme>

#include <cmath>
#include <type_traits>

using enzyme::tuple;

static double g(double x) { return std::exp(x) * std::cos(x); }

static double h(double x, double y, double z) {
  return x * x * y + std::sin(y * z);
}

static float hf(float x, float y) { return x * std::exp(y) - y * y; }

// (r, t) -> (r cos t, r sin t)
static void polar(const double *rt, double *xy) {
  xy[0] = rt[0] * std::cos(rt[1]);
  xy[1] = rt[0] * std::sin(rt[1]);
}

// Writes x0^2 x1 to *y and returns a status code.
static int status(const double *x, double *y) {
  *y = x[0] * x[0] * x[1];
  return 7;
}

int main() {
  for (double x : {-0.9, 0.35, 1.6}) {
    const double y = 1.3 - 0.4 * x, z = 0.5 + 0.25 * x;
    const double hx = 2 * x * y, hy = x * x + z * std::cos(y * z),
                 hz = y * std::cos(y * z);

    auto gt = enzyme::autodiff<enzyme::Forward>(g, enzyme::Duplicated{x, 1.0});
    static_assert(std::is_same_v<decltype(gt), tuple<double>>);
    CHECK_DERIV(enzyme::get<0>(gt), std::exp(x) * (std::cos(x) - std::sin(x)),
                central(g, x));

    // Along (vx, vy, vz).
    const double vx = 0.5, vy = -1.0, vz = 2.0;
    double along = enzyme::get<0>(enzyme::autodiff<enzyme::Forward>(
        h, enzyme::Duplicated{x, vx}, enzyme::Duplicated{y, vy},
        enzyme::Duplicated{z, vz}));
    CHECK_DERIV(
        along, vx * hx + vy * hy + vz * hz,
        central([&](double t) { return h(x + t * vx, y + t * vy, z + t * vz); },
                0.0));

    // Const arguments; a DuplicatedNoNeed argument is read as Duplicated.
    CHECK_DERIV(
        enzyme::get<0>(enzyme::autodiff<enzyme::Forward>(
            h, enzyme::Const{x}, enzyme::Duplicated{y, 1.0}, enzyme::Const{z})),
        hy, central([&](double t) { return h(x, t, z); }, y));
    CHECK_DERIV(enzyme::get<0>(enzyme::autodiff<enzyme::Forward>(
                    h, enzyme::Const{x}, enzyme::Const{y},
                    enzyme::DuplicatedNoNeed{z, 1.0})),
                hz, central([&](double t) { return h(x, y, t); }, z));

    // The result activities.
    auto dnn =
        enzyme::autodiff<enzyme::Forward, enzyme::DuplicatedNoNeed<double>>(
            h, enzyme::Duplicated{x, 1.0}, enzyme::Const{y}, enzyme::Const{z});
    static_assert(std::is_same_v<decltype(dnn), tuple<double>>);
    CHECK_DERIV(enzyme::get<0>(dnn), hx, NAN);
    auto dup = enzyme::autodiff<enzyme::Forward, enzyme::Duplicated<double>>(
        h, enzyme::Duplicated{x, 1.0}, enzyme::Const{y}, enzyme::Const{z});
    static_assert(std::is_same_v<decltype(dup), tuple<double, double>>);
    CHECK_DERIV(enzyme::get<0>(dup), h(x, y, z), NAN);
    CHECK_DERIV(enzyme::get<1>(dup), hx, NAN);
    auto cst = enzyme::autodiff<enzyme::Forward, enzyme::Const<double>>(
        h, enzyme::Duplicated{x, 1.0}, enzyme::Const{y}, enzyme::Const{z});
    static_assert(std::is_same_v<decltype(cst), tuple<double>>);
    CHECK_DERIV(enzyme::get<0>(cst), h(x, y, z), NAN);

    // An int result is Const: the primal comes back, tangents go to the
    // outputs.
    double in[2] = {x, y}, tin[2] = {1, 0}, out = 0, tout = 0;
    auto st = enzyme::autodiff<enzyme::Forward>(
        status, enzyme::Duplicated<const double *>{in, tin},
        enzyme::Duplicated<double *>{&out, &tout});
    static_assert(std::is_same_v<decltype(st), tuple<int>>);
    CHECK_TRUE(enzyme::get<0>(st) == 7);
    CHECK_DERIV(out, x * x * y, NAN);
    CHECK_DERIV(tout, 2 * x * y, NAN);

    // A void function's outputs.
    double rt[2] = {1.0 + x * x, x}, trt[2] = {0.5, 1.0}, xy[2], txy[2];
    auto pv = enzyme::autodiff<enzyme::Forward>(
        polar, enzyme::Duplicated<const double *>{rt, trt},
        enzyme::Duplicated<double *>{xy, txy});
    static_assert(std::is_same_v<decltype(pv), tuple<>>);
    CHECK_DERIV(xy[0], rt[0] * std::cos(rt[1]), NAN);
    CHECK_DERIV(txy[0], trt[0] * std::cos(rt[1]) - rt[0] * std::sin(rt[1]),
                NAN);
    CHECK_DERIV(txy[1], trt[0] * std::sin(rt[1]) + rt[0] * std::cos(rt[1]),
                NAN);

    // float
    const float xf = float(x), yf = float(y);
    auto tf = enzyme::autodiff<enzyme::Forward>(
        hf, enzyme::Duplicated{xf, 1.0f}, enzyme::Duplicated{yf, 2.0f});
    static_assert(std::is_same_v<decltype(tf), tuple<float>>);
    CHECK_FLOAT(enzyme::get<0>(tf),
                std::exp(yf) + 2.0f * (xf * std::exp(yf) - 2 * yf));
  }
  return report();
}
