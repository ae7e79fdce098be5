// Duplicated memory through Enzyme's C++ interface: pointers to arrays,
// std::vector by const and non-const reference, a scalar by reference,
// Const pointers, a void function writing its outputs, in reverse mode
// (adjoints added into the shadows, output seeds consumed) and in forward
// mode (tangents through the shadows).
#include "check.hpp"

#include <enzyme/enzyme>

#include <cmath>
#include <type_traits>
#include <vector>

using enzyme::nodiff;
using enzyme::tuple;
using Vec = std::vector<double>;

// sum_i a_i b_i^2
static double wdot(const double *a, const double *b, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += a[i] * b[i] * b[i];
  return s;
}

static double meansq(const Vec &v) {
  double s = 0;
  for (double e : v)
    s += e * e;
  return s / double(v.size());
}

// y_i = x_i^2 sin(x_i)
static void map(const double *x, double *y, int n) {
  for (int i = 0; i < n; ++i)
    y[i] = x[i] * x[i] * std::sin(x[i]);
}
static double dmap(double x) {
  return 2 * x * std::sin(x) + x * x * std::cos(x);
}

static double cube(const double &x) { return x * x * x; }

// Scales v in place by a; returns the sum of squares of the result.
static double scale(Vec &v, double a) {
  double s = 0;
  for (double &e : v) {
    e *= a;
    s += e * e;
  }
  return s;
}

int main() {
  const int n = 4;
  double a[n] = {0.5, -1.25, 2.0, 0.75}, b[n] = {1.5, 0.25, -0.5, 2.5};

  // Reverse, pointers: the entries are the shadows.
  double da[n] = {}, db[n] = {};
  auto r = enzyme::autodiff<enzyme::Reverse>(
      wdot, enzyme::Duplicated<const double *>{a, da},
      enzyme::Duplicated<const double *>{b, db}, enzyme::Const{n});
  static_assert(
      std::is_same_v<decltype(r),
                     tuple<tuple<const double *, const double *, nodiff>>>);
  CHECK_TRUE(enzyme::get<0>(enzyme::get<0>(r)) == da);
  CHECK_TRUE(enzyme::get<1>(enzyme::get<0>(r)) == db);
  for (int i = 0; i < n; ++i) {
    double ai = a[i], bi = b[i];
    CHECK_DERIV(da[i], bi * bi,
                central(
                    [&](double t) {
                      a[i] = t;
                      double s = wdot(a, b, n);
                      a[i] = ai;
                      return s;
                    },
                    ai));
    CHECK_DERIV(db[i], 2 * ai * bi,
                central(
                    [&](double t) {
                      b[i] = t;
                      double s = wdot(a, b, n);
                      b[i] = bi;
                      return s;
                    },
                    bi));
  }
  // Adjoints are added to the shadows.
  enzyme::autodiff<enzyme::Reverse>(
      wdot, enzyme::Duplicated<const double *>{a, da},
      enzyme::Const<const double *>{b}, enzyme::Const{n});
  for (int i = 0; i < n; ++i)
    CHECK_DERIV(da[i], 2 * b[i] * b[i], NAN);

  // Forward, pointers: the directional derivative along (ta, tb).
  double ta[n] = {1, 0.5, -1, 0.25}, tb[n] = {0, 1, 0.5, -2};
  double dir = enzyme::get<0>(enzyme::autodiff<enzyme::Forward>(
      wdot, enzyme::Duplicated<const double *>{a, ta},
      enzyme::Duplicated<const double *>{b, tb}, enzyme::Const{n}));
  double want = 0;
  for (int i = 0; i < n; ++i)
    want += ta[i] * b[i] * b[i] + 2 * a[i] * b[i] * tb[i];
  CHECK_DERIV(dir, want, NAN);

  // std::vector by const reference, Duplicated and DuplicatedNoNeed.
  Vec v{0.5, -1.5, 2.25, 1.0, -0.25};
  Vec dv(v.size(), 0.0), dw(v.size(), 0.0);
  auto rv = enzyme::autodiff<enzyme::Reverse>(
      meansq, enzyme::Duplicated<const Vec &>{v, dv});
  static_assert(std::is_same_v<decltype(rv), tuple<tuple<const Vec &>>>);
  CHECK_TRUE(&enzyme::get<0>(enzyme::get<0>(rv)) == &dv);
  enzyme::autodiff<enzyme::Reverse>(
      meansq, enzyme::DuplicatedNoNeed<const Vec &>{v, dw});
  for (size_t i = 0; i < v.size(); ++i) {
    double want_i = 2 * v[i] / double(v.size());
    double vi = v[i];
    double fd = central(
        [&](double t) {
          v[i] = t;
          double s = meansq(v);
          v[i] = vi;
          return s;
        },
        vi);
    CHECK_DERIV(dv[i], want_i, fd);
    CHECK_DERIV(dw[i], want_i, fd);
  }
  // ... and forward.
  Vec tv{1, -1, 0.5, 2, 0};
  double tm = enzyme::get<0>(enzyme::autodiff<enzyme::Forward>(
      meansq, enzyme::Duplicated<const Vec &>{v, tv}));
  double want_tm = 0;
  for (size_t i = 0; i < v.size(); ++i)
    want_tm += 2 * v[i] * tv[i] / double(v.size());
  CHECK_DERIV(tm, want_tm, NAN);

  // A void function writing its outputs; reverse seeds them with dy.
  double x[n] = {0.3, -0.8, 1.7, 2.4}, y[n] = {}, dx[n] = {};
  double dy[n] = {1.0, -2.0, 0.5, 3.0};
  const double seed[n] = {1.0, -2.0, 0.5, 3.0};
  auto rm = enzyme::autodiff<enzyme::Reverse>(
      map, enzyme::Duplicated<const double *>{x, dx},
      enzyme::Duplicated<double *>{y, dy}, enzyme::Const{n});
  static_assert(std::is_same_v<decltype(rm),
                               tuple<tuple<const double *, double *, nodiff>>>);
  for (int i = 0; i < n; ++i) {
    CHECK_DERIV(dx[i], seed[i] * dmap(x[i]), NAN);
    CHECK_DERIV(y[i], x[i] * x[i] * std::sin(x[i]), NAN);
    CHECK_TRUE(dy[i] == 0);
  }
  // ... and forward: a void function's result is an empty tuple.
  double tx[n] = {1, 0.5, -1, 2}, ty[n] = {};
  auto fm = enzyme::autodiff<enzyme::Forward>(
      map, enzyme::Duplicated<const double *>{x, tx},
      enzyme::Duplicated<double *>{y, ty}, enzyme::Const{n});
  static_assert(std::is_same_v<decltype(fm), tuple<>>);
  for (int i = 0; i < n; ++i) {
    double xi = x[i];
    CHECK_DERIV(ty[i], tx[i] * dmap(xi),
                tx[i] *
                    central([](double t) { return t * t * std::sin(t); }, xi));
  }

  // A scalar by reference.
  for (double c : {-1.2, 0.7}) {
    double dc = 0;
    auto rc = enzyme::autodiff<enzyme::Reverse>(
        cube, enzyme::Duplicated<const double &>{c, dc});
    static_assert(std::is_same_v<decltype(rc), tuple<tuple<const double &>>>);
    CHECK_DERIV(dc, 3 * c * c, central([](double t) { return cube(t); }, c));
    const double one = 1;
    CHECK_DERIV(enzyme::get<0>(enzyme::autodiff<enzyme::Forward>(
                    cube, enzyme::Duplicated<const double &>{c, one})),
                3 * c * c, NAN);
  }

  // A vector updated in place: the shadow ends with the adjoint of the
  // values it held before the call.
  Vec s{0.5, -1.0, 1.5}, ds(3, 0.0);
  const Vec s0 = s;
  const double alpha = 1.25;
  auto rs = enzyme::autodiff<enzyme::Reverse>(
      scale, enzyme::Duplicated<Vec &>{s, ds}, enzyme::Active{alpha});
  double sum0 = 0;
  for (size_t i = 0; i < s0.size(); ++i) {
    sum0 += s0[i] * s0[i];
    CHECK_DERIV(ds[i], 2 * alpha * alpha * s0[i], NAN);
    CHECK_DERIV(s[i], alpha * s0[i], NAN);
  }
  CHECK_DERIV(enzyme::get<1>(enzyme::get<0>(rs)), 2 * alpha * sum0,
              central(
                  [&](double t) {
                    Vec c = s0;
                    return scale(c, t);
                  },
                  alpha));
  return report();
}
