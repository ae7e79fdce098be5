// Lambdas that capture constant (inactive) data next to active values.
//   polysum(x, coef, n): a lambda capturing the coefficient pointer and the
//     degree by value evaluates p(t) = sum_k coef_k t^k (Horner); result
//     sum_{i<4} p(x_i) x_i, coef passed enzyme_const;
//     d/dx_i = p'(x_i) x_i + p(x_i)
//   table_terms(x): a lambda capturing by reference a local const table w
//     and the active pointer x; result sum_i w_i exp(x_i w_{i+1 mod 4});
//     d/dx_i = w_i w_{i+1} exp(x_i w_{i+1})
//   mapped(x, y, n): std::transform with a lambda capturing a const
//     static table into the output array y (void); reverse seeded with
//     dy = r: dx_i = r_i * 3 S_i x_i^2 with S_i = SCALES[i % 3]
// Closed forms (TOL_CLOSED) and central finite differences (TOL_FD).
#include "memcheck.h"
#include <algorithm>
#include <cmath>
#include <cstring>

extern "C" double __enzyme_autodiff(void *, ...);
extern "C" double __enzyme_fwddiff(void *, ...);

int enzyme_const;

static double polysum(const double *x, const double *coef, int n) {
  auto p = [coef, n](double t) {
    double s = 0;
    for (int k = n - 1; k >= 0; --k)
      s = s * t + coef[k];
    return s;
  };
  double tot = 0;
  for (int i = 0; i < 4; ++i)
    tot += p(x[i]) * x[i];
  return tot;
}

static double table_terms(const double *x) {
  const double w[4] = {0.5, -1.5, 0.75, 2.0};
  auto term = [&](int i) { return w[i] * std::exp(x[i] * w[(i + 1) % 4]); };
  double s = 0;
  for (int i = 0; i < 4; ++i)
    s += term(i);
  return s;
}

static const double SCALES[3] = {1.0, -0.5, 2.5};

static void mapped(const double *x, double *y, int n) {
  int idx = 0;
  std::transform(x, x + n, y, [&idx](double e) {
    double r = SCALES[idx % 3] * e * e * e;
    ++idx;
    return r;
  });
}

static const double COEF[5] = {0.3, -1.2, 0.5, 0.25, -0.1};
static double polysum_x(const double *x) { return polysum(x, COEF, 5); }

int main() {
  double x[6], dx[6], want[6], fd[6], v[6];
  for (int i = 0; i < 6; ++i) {
    x[i] = 0.8 * std::sin(1.3 * i + 0.2);
    v[i] = std::cos(0.6 * i + 0.5);
  }

  for (int i = 0; i < 4; ++i) {
    double p = 0, dp = 0;
    for (int k = 0; k < 5; ++k) {
      p += COEF[k] * std::pow(x[i], k);
      if (k > 0)
        dp += k * COEF[k] * std::pow(x[i], k - 1);
    }
    want[i] = dp * x[i] + p;
  }
  fd_gradient(polysum_x, x, 4, fd);
  std::memset(dx, 0, sizeof dx);
  __enzyme_autodiff((void *)polysum, x, dx, enzyme_const, COEF, 5);
  CHECK_ARRAY(dx, want, fd, 4);
  CHECK_DERIV(__enzyme_fwddiff((void *)polysum, x, v, enzyme_const, COEF, 5),
              dotn(want, v, 4), fd_dir(polysum_x, x, v, 4));

  const double w[4] = {0.5, -1.5, 0.75, 2.0};
  for (int i = 0; i < 4; ++i)
    want[i] = w[i] * w[(i + 1) % 4] * std::exp(x[i] * w[(i + 1) % 4]);
  fd_gradient(table_terms, x, 4, fd);
  std::memset(dx, 0, sizeof dx);
  __enzyme_autodiff((void *)table_terms, x, dx);
  CHECK_ARRAY(dx, want, fd, 4);
  CHECK_DERIV(__enzyme_fwddiff((void *)table_terms, x, v), dotn(want, v, 4),
              fd_dir(table_terms, x, v, 4));

  {
    double y[6], dy[6], r[6], wy[6], ty[6], wt[6];
    for (int i = 0; i < 6; ++i) {
      r[i] = dy[i] = 1.0 - 0.3 * i;
      double s = SCALES[i % 3];
      want[i] = r[i] * 3.0 * s * x[i] * x[i];
      wy[i] = s * x[i] * x[i] * x[i];
      wt[i] = 3.0 * s * x[i] * x[i] * v[i];
    }
    std::memset(dx, 0, sizeof dx);
    __enzyme_autodiff((void *)mapped, x, dx, y, dy, 6);
    CHECK_ARRAY(dx, want, nullptr, 6);
    CHECK_ARRAY(y, wy, nullptr, 6);
    for (int i = 0; i < 6; ++i)
      CHECK_TRUE(dy[i] == 0.0);
    std::memset(ty, 0, sizeof ty);
    __enzyme_fwddiff((void *)mapped, x, v, y, ty, 6);
    CHECK_ARRAY(ty, wt, nullptr, 6);
  }
  return report();
}
