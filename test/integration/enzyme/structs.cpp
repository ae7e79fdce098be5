// Structs through Enzyme's C++ interface: a small struct passed by value
// among other arguments (clang splits it into registers), a larger one
// (passed in memory), struct results returned in registers and in memory,
// std::vector results, the same through lambdas; and the tuple helpers.
#include "check.hpp"

#include <enzyme/enzyme>

#include <cmath>
#include <type_traits>
#include <vector>

using enzyme::nodiff;
using enzyme::tuple;
using Vec = std::vector<double>;

struct pair {
  double a, b;
};
struct vec3 {
  double x, y, z;
};

// Not symmetric in p.a, p.b: a value read as a shadow would show.
static double area(pair p, double s, pair q) {
  return p.a * s * q.b + p.b * p.b * q.a;
}

static pair polar(double r, double t) {
  return {r * std::cos(t), r * std::sin(t)};
}
// The same, also writing the sector's area r^2 t / 2 to *sector.
static pair polar_sector(double r, double t, double *sector) {
  *sector = r * r * t / 2;
  return polar(r, t);
}

static vec3 cross(const vec3 &u, const vec3 &v) {
  return {u.y * v.z - u.z * v.y, u.z * v.x - u.x * v.z, u.x * v.y - u.y * v.x};
}

// Two structs of 24 bytes by value, passed in memory.
static double dot3(vec3 u, vec3 v, double s) {
  return s * (u.x * v.x + 2 * u.y * v.y + 3 * u.z * v.z);
}

// a v_i^2
static Vec squares(const Vec &v, double a) {
  Vec out(v.size());
  for (size_t i = 0; i < v.size(); ++i)
    out[i] = a * v[i] * v[i];
  return out;
}
// x_i^2, and the sum of x_i^3 in *total.
static Vec squares_total(const Vec &x, double *total) {
  Vec out(x.size());
  double t = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    out[i] = x[i] * x[i];
    t += x[i] * x[i] * x[i];
  }
  *total = t;
  return out;
}

int main() {
  const pair p{2.0, 3.0}, q{0.75, -1.25};
  const double s = 1.5;

  // Forward: one partial at a time, then a mixed direction.
  double dpa = enzyme::get<0>(
      enzyme::autodiff<enzyme::Forward>(area, enzyme::Duplicated{p, pair{1, 0}},
                                        enzyme::Const{s}, enzyme::Const{q}));
  CHECK_DERIV(dpa, s * q.b,
              central(
                  [&](double t) {
                    return area({t, p.b}, s, q);
                  },
                  p.a));
  double dpb = enzyme::get<0>(
      enzyme::autodiff<enzyme::Forward>(area, enzyme::Duplicated{p, pair{0, 1}},
                                        enzyme::Const{s}, enzyme::Const{q}));
  CHECK_DERIV(dpb, 2 * p.b * q.a,
              central(
                  [&](double t) {
                    return area({p.a, t}, s, q);
                  },
                  p.b));
  const pair dp{0.5, -1.0};
  const double ds = 0.25;
  double mixed = enzyme::get<0>(enzyme::autodiff<enzyme::Forward>(
      area, enzyme::Duplicated{p, dp}, enzyme::Duplicated{s, ds},
      enzyme::Const{q}));
  CHECK_DERIV(mixed, dp.a * s * q.b + p.a * ds * q.b + 2 * p.b * dp.b * q.a,
              NAN);
  // Reverse, with the structs Const around an Active scalar.
  auto ra = enzyme::autodiff<enzyme::Reverse>(
      area, enzyme::Const{p}, enzyme::Active{s}, enzyme::Const{q});
  static_assert(
      std::is_same_v<decltype(ra), tuple<tuple<nodiff, double, nodiff>>>);
  CHECK_DERIV(enzyme::get<1>(enzyme::get<0>(ra)), p.a * q.b,
              central([&](double t) { return area(p, t, q); }, s));
  // A lambda taking the struct by value.
  auto lam = [](pair u, double t) { return u.a * t + u.b * u.b; };
  CHECK_DERIV(enzyme::get<0>(enzyme::autodiff<enzyme::Forward>(
                  lam, enzyme::Duplicated{p, dp}, enzyme::Const{s})),
              dp.a * s + 2 * p.b * dp.b, NAN);

  // Structs of 24 bytes by value.
  const vec3 u{1, 2, 3}, du{0.5, -0.25, 1}, v{-1, 0.5, 2};
  CHECK_DERIV(
      enzyme::get<0>(enzyme::autodiff<enzyme::Forward>(
          dot3, enzyme::Duplicated{u, du}, enzyme::Const{v}, enzyme::Const{s})),
      s * (du.x * v.x + 2 * du.y * v.y + 3 * du.z * v.z), NAN);
  auto rd = enzyme::autodiff<enzyme::Reverse>(
      dot3, enzyme::Const{u}, enzyme::Const{v}, enzyme::Active{s});
  CHECK_DERIV(enzyme::get<2>(enzyme::get<0>(rd)),
              u.x * v.x + 2 * u.y * v.y + 3 * u.z * v.z, NAN);

  // A struct result in registers: its tangent, or primal and tangent.
  const double r = 2.0, t = 0.3, dr = 0.5, dt = 1.0;
  const pair dwant{dr * std::cos(t) - r * std::sin(t) * dt,
                   dr * std::sin(t) + r * std::cos(t) * dt};
  auto pt = enzyme::autodiff<enzyme::Forward, enzyme::DuplicatedNoNeed<pair>>(
      polar, enzyme::Duplicated{r, dr}, enzyme::Duplicated{t, dt});
  static_assert(std::is_same_v<decltype(pt), tuple<pair>>);
  CHECK_DERIV(enzyme::get<0>(pt).a, dwant.a, NAN);
  CHECK_DERIV(enzyme::get<0>(pt).b, dwant.b, NAN);
  auto pd = enzyme::autodiff<enzyme::Forward, enzyme::Duplicated<pair>>(
      polar, enzyme::Duplicated{r, dr}, enzyme::Duplicated{t, dt});
  CHECK_DERIV(enzyme::get<0>(pd).a, r * std::cos(t), NAN);
  CHECK_DERIV(enzyme::get<0>(pd).b, r * std::sin(t), NAN);
  CHECK_DERIV(enzyme::get<1>(pd).a, dwant.a, NAN);
  CHECK_DERIV(enzyme::get<1>(pd).b, dwant.b, NAN);
  // In reverse mode a struct result is Const by default: only the sector's
  // adjoint flows back.
  double sector = 0, dsector = 1;
  auto rs = enzyme::autodiff<enzyme::Reverse>(
      polar_sector, enzyme::Active{r}, enzyme::Active{t},
      enzyme::Duplicated<double *>{&sector, &dsector});
  CHECK_DERIV(enzyme::get<0>(enzyme::get<0>(rs)), r * t, NAN);
  CHECK_DERIV(enzyme::get<1>(enzyme::get<0>(rs)), r * r / 2, NAN);
  CHECK_DERIV(sector, r * r * t / 2, NAN);

  // A struct result in memory: primal and tangent from one call.
  const vec3 w{0.25, -1.5, 0.5}, dw{1, 0, -1};
  auto cr = enzyme::autodiff<enzyme::Forward, enzyme::Duplicated<vec3>>(
      cross, enzyme::Duplicated<const vec3 &>{u, du},
      enzyme::Duplicated<const vec3 &>{w, dw});
  const vec3 c0 = cross(u, w), c1 = cross(du, w), c2 = cross(u, dw);
  CHECK_DERIV(enzyme::get<0>(cr).x, c0.x, NAN);
  CHECK_DERIV(enzyme::get<0>(cr).z, c0.z, NAN);
  CHECK_DERIV(enzyme::get<1>(cr).x, c1.x + c2.x, NAN);
  CHECK_DERIV(enzyme::get<1>(cr).y, c1.y + c2.y, NAN);
  CHECK_DERIV(enzyme::get<1>(cr).z, c1.z + c2.z, NAN);

  // std::vector results.
  const Vec x{0.5, -1.25, 2.0};
  const Vec tx{1.0, 0.5, -2.0};
  const double a = 1.5, da = -0.5;
  auto sq = enzyme::autodiff<enzyme::Forward, enzyme::Duplicated<Vec>>(
      squares, enzyme::Duplicated<const Vec &>{x, tx},
      enzyme::Duplicated{a, da});
  static_assert(std::is_same_v<decltype(sq), tuple<Vec, Vec>>);
  auto sn = enzyme::autodiff<enzyme::Forward, enzyme::DuplicatedNoNeed<Vec>>(
      squares, enzyme::Duplicated<const Vec &>{x, tx},
      enzyme::Duplicated{a, da});
  auto sc = enzyme::autodiff<enzyme::Forward>(
      squares, enzyme::Duplicated<const Vec &>{x, tx},
      enzyme::Duplicated{a, da});
  static_assert(std::is_same_v<decltype(sc), tuple<Vec>>); // Const
  CHECK_TRUE(enzyme::get<0>(sq).size() == x.size() &&
             enzyme::get<1>(sq).size() == x.size() &&
             enzyme::get<0>(sn).size() == x.size() &&
             enzyme::get<0>(sc).size() == x.size());
  for (size_t i = 0; i < x.size() && i < enzyme::get<1>(sq).size(); ++i) {
    const double tangent = 2 * a * x[i] * tx[i] + da * x[i] * x[i];
    CHECK_DERIV(enzyme::get<0>(sq)[i], a * x[i] * x[i], NAN);
    CHECK_DERIV(enzyme::get<1>(sq)[i], tangent, NAN);
    CHECK_DERIV(enzyme::get<0>(sn)[i], tangent, NAN);
    CHECK_DERIV(enzyme::get<0>(sc)[i], a * x[i] * x[i], NAN);
  }
  // ... from a lambda.
  auto lv = [](const Vec &v, double k) {
    Vec out(v);
    for (double &e : out)
      e = std::sin(k * e);
    return out;
  };
  auto lt = enzyme::autodiff<enzyme::Forward, enzyme::DuplicatedNoNeed<Vec>>(
      lv, enzyme::Const<const Vec &>{x}, enzyme::Duplicated{a, 1.0});
  CHECK_TRUE(enzyme::get<0>(lt).size() == x.size());
  for (size_t i = 0; i < x.size() && i < enzyme::get<0>(lt).size(); ++i)
    CHECK_DERIV(enzyme::get<0>(lt)[i], x[i] * std::cos(a * x[i]), NAN);
  // ... and in reverse mode, a Const std::vector result.
  Vec dx(x.size(), 0.0);
  double total = 0, dtotal = 1;
  enzyme::autodiff<enzyme::Reverse>(
      squares_total, enzyme::Duplicated<const Vec &>{x, dx},
      enzyme::Duplicated<double *>{&total, &dtotal});
  for (size_t i = 0; i < x.size(); ++i)
    CHECK_DERIV(dx[i], 3 * x[i] * x[i], NAN);

  // The tuple helpers.
  auto both = enzyme::tuple_cat(pt, ra, enzyme::tuple{1, 2.5});
  static_assert(
      std::is_same_v<decltype(both),
                     tuple<pair, tuple<nodiff, double, nodiff>, int, double>>);
  static_assert(enzyme::tuple_size_v<decltype(both)> == 4);
  CHECK_TRUE(enzyme::get<2>(both) == 1 && enzyme::get<3>(both) == 2.5);
  auto [first, second] = enzyme::get<0>(pd);
  CHECK_DERIV(first, r * std::cos(t), NAN);
  CHECK_DERIV(second, r * std::sin(t), NAN);
  double held = 4;
  auto refs = enzyme::forward_as_tuple(held);
  enzyme::get<0>(refs) = 5;
  CHECK_TRUE(held == 5);
  tuple<tuple<double>> nested{{3.5}};
  CHECK_TRUE(enzyme::get<0>(enzyme::get<0>(std::move(nested))) == 3.5);
  return report();
}
