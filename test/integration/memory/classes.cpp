// A class with (non-virtual) member functions and a small class hierarchy
// without virtual calls, built on the stack inside the differentiated
// function from raw arrays.
//   Vec2: value class with operator+, scaled, dot, norm2.
//   Body { mass, pos; translate(); potential(g) = -mass pos.g }
//   Spring : Body { k, anchor; energy(g) = potential(g) + k/2 |pos-anchor|^2 }
//   system_energy(pos[2n], mass[n], n): Spring s[i] anchored at the
//     previous body's original position (origin for i = 0), every body then
//     translated by OFF; E = sum_i s[i].energy(G).
//   With q_i = p_i + OFF, a_i = p_{i-1} (a_0 = 0), k_i = 1 + i/2:
//     dE/dp_i = -m_i G + k_i (q_i - a_i) - k_{i+1} (q_{i+1} - a_{i+1})
//     dE/dm_i = -q_i . G
//   Poly: coefficients copied into a member array, rescale() multiplies
//     them in place, value() evaluates by Horner;
//     poly_eval(c, x) = x sum_k c_k (2x)^k, so d/dc_k = x (2x)^k and
//     d/dx = sum_k c_k (2x)^k + 2x sum_{k>0} k c_k (2x)^(k-1).
// Closed forms (TOL_CLOSED) and central finite differences (TOL_FD).
#include "memcheck.h"
#include <cmath>
#include <cstring>

extern "C" double __enzyme_autodiff(void *, ...);
extern "C" double __enzyme_fwddiff(void *, ...);

int enzyme_const;
int enzyme_out;

class Vec2 {
  double x_, y_;

public:
  Vec2() : x_(0), y_(0) {}
  Vec2(double x, double y) : x_(x), y_(y) {}
  double x() const { return x_; }
  double y() const { return y_; }
  Vec2 operator+(const Vec2 &o) const { return Vec2(x_ + o.x_, y_ + o.y_); }
  Vec2 scaled(double s) const { return Vec2(s * x_, s * y_); }
  double dot(const Vec2 &o) const { return x_ * o.x_ + y_ * o.y_; }
  double norm2() const { return dot(*this); }
};

struct Body {
  double mass = 0;
  Vec2 pos;
  void translate(const Vec2 &d) { pos = pos + d; }
  double potential(const Vec2 &g) const { return -mass * pos.dot(g); }
};

struct Spring : Body {
  double k = 0;
  Vec2 anchor;
  double energy(const Vec2 &g) const {
    Vec2 d = pos + anchor.scaled(-1.0);
    return potential(g) + 0.5 * k * d.norm2();
  }
};

static const Vec2 G(0.0, -9.81);
static const Vec2 OFF(0.1, 0.2);
enum { NB = 4 };

static double system_energy(const double *pos, const double *mass, int n) {
  Spring s[8];
  for (int i = 0; i < n; ++i) {
    s[i].mass = mass[i];
    s[i].pos = Vec2(pos[2 * i], pos[2 * i + 1]);
    s[i].k = 1.0 + 0.5 * i;
    s[i].anchor = i > 0 ? s[i - 1].pos : Vec2();
  }
  for (int i = 0; i < n; ++i)
    s[i].translate(OFF);
  double e = 0;
  for (int i = 0; i < n; ++i)
    e += s[i].energy(G);
  return e;
}

class Poly {
  double c_[4];

public:
  explicit Poly(const double *c) {
    for (int i = 0; i < 4; ++i)
      c_[i] = c[i];
  }
  void rescale(double s) {
    for (double &c : c_)
      c *= s;
  }
  double value(double x) const {
    double r = 0;
    for (int i = 3; i >= 0; --i)
      r = r * x + c_[i];
    return r;
  }
};

// P(t) = x * sum_k c_k t^k at t = 2x
static double poly_eval(const double *c, double x) {
  Poly p(c);
  p.rescale(x);
  return p.value(2.0 * x);
}

static double energy_packed(const double *v) {
  return system_energy(v, v + 2 * NB, NB);
}
static const double *g_c;
static double poly_x(double x) { return poly_eval(g_c, x); }

int main() {
  double v[3 * NB], d[3 * NB], want[3 * NB], fd[3 * NB], dir[3 * NB];
  for (int i = 0; i < NB; ++i) {
    v[2 * i] = 1.0 + 0.7 * i + 0.1 * std::sin(i);
    v[2 * i + 1] = -0.5 * i + 0.2 * std::cos(i);
    v[2 * NB + i] = 1.0 + 0.25 * i;
  }
  for (int i = 0; i < 3 * NB; ++i)
    dir[i] = std::sin(0.9 * i + 0.3);
  {
    const double *p = v, *m = v + 2 * NB;
    double gg[2] = {0.0, -9.81}, off[2] = {0.1, 0.2};
    for (int i = 0; i < NB; ++i)
      for (int c = 0; c < 2; ++c) {
        double qi = p[2 * i + c] + off[c];
        double ai = i > 0 ? p[2 * (i - 1) + c] : 0.0;
        double g = -m[i] * gg[c] + (1.0 + 0.5 * i) * (qi - ai);
        if (i + 1 < NB)
          g -= (1.0 + 0.5 * (i + 1)) *
               (p[2 * (i + 1) + c] + off[c] - p[2 * i + c]);
        want[2 * i + c] = g;
      }
    for (int i = 0; i < NB; ++i)
      want[2 * NB + i] = -((p[2 * i] + off[0]) * gg[0] +
                           (p[2 * i + 1] + off[1]) * gg[1]);
  }
  fd_gradient(energy_packed, v, 3 * NB, fd);
  std::memset(d, 0, sizeof d);
  __enzyme_autodiff((void *)system_energy, v, d, v + 2 * NB, d + 2 * NB, NB);
  CHECK_ARRAY(d, want, fd, 3 * NB);
  CHECK_DERIV(__enzyme_fwddiff((void *)system_energy, v, dir, v + 2 * NB,
                               dir + 2 * NB, NB),
              dotn(want, dir, 3 * NB), fd_dir(energy_packed, v, dir, 3 * NB));

  // masses inactive
  std::memset(d, 0, sizeof d);
  __enzyme_autodiff((void *)system_energy, v, d, enzyme_const, v + 2 * NB,
                    NB);
  for (int i = 2 * NB; i < 3 * NB; ++i)
    want[i] = 0.0;
  CHECK_ARRAY(d, want, nullptr, 3 * NB);

  // Poly: f(c, x) = x sum_k c_k (2x)^k
  //   df/dc_k = x (2x)^k
  //   df/dx   = sum_k c_k (2x)^k + x sum_{k>0} c_k k 2 (2x)^(k-1)
  const double c[4] = {0.5, -1.0, 0.75, 0.2};
  g_c = c;
  for (int t = 0; t < 3; ++t) {
    double x = -0.8 + 0.7 * t, dc[4] = {0, 0, 0, 0}, wc[4], wx = 0;
    for (int k = 0; k < 4; ++k) {
      wc[k] = x * std::pow(2.0 * x, k);
      wx += c[k] * std::pow(2.0 * x, k);
      if (k > 0)
        wx += x * c[k] * k * 2.0 * std::pow(2.0 * x, k - 1);
    }
    double dx = __enzyme_autodiff((void *)poly_eval, c, dc, x);
    CHECK_ARRAY(dc, wc, nullptr, 4);
    CHECK_DERIV(dx, wx, fd1(poly_x, x));
    double zc[4] = {0, 0, 0, 0};
    CHECK_DERIV(__enzyme_fwddiff((void *)poly_eval, c, zc, x, 1.0), wx,
                fd1(poly_x, x));
    CHECK_DERIV(__enzyme_fwddiff((void *)poly_eval, enzyme_const, c, x, 1.0),
                wx, NAN);
  }
  return report();
}
