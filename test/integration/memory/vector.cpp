// std::vector<double> inside the differentiated function.  Fluxion
// differentiates raw pointers, so each function takes const double* and
// builds or copies into vectors internally (heap allocation, copy
// construction, reallocation while growing, std::reverse, std::copy).
//   ring(x, n):   v(x, x+n) mapped to sin in place, w = reversed copy of v;
//                 result sum_i v_i v_{i+1} + 1/2 sum_i v_i w_i
//                 d/dx_k = cos x_k (s_{k+1} + s_{k-1} + s_{n-1-k})
//   grow(x, n):   push_back x_i^2 for all i, then push_back v_i x_{n-1-i}
//                 (the vector reallocates while it grows); result the sum
//                 d/dx_k = 2 x_k + 2 x_k x_{n-1-k} + x_{n-1-k}^2
//   scaled(x, y, n): void; tmp vector of x_i * x_0, std::copy into y.
//                 Reverse seeded with dy = w:
//                 dx_0 = sum_i w_i x_i + w_0 x_0, dx_k = w_k x_0 (k > 0)
// Closed forms (TOL_CLOSED) and central finite differences (TOL_FD).
#include "memcheck.h"
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

extern "C" double __enzyme_autodiff(void *, ...);
extern "C" double __enzyme_fwddiff(void *, ...);

static double ring(const double *x, int n) {
  std::vector<double> v(x, x + n);
  for (double &e : v)
    e = std::sin(e);
  std::vector<double> w(v);
  std::reverse(w.begin(), w.end());
  double s = 0;
  for (size_t i = 0; i < v.size(); ++i)
    s += v[i] * v[(i + 1) % v.size()] + 0.5 * v[i] * w[i];
  return s;
}

static double grow(const double *x, int n) {
  std::vector<double> v;
  for (int i = 0; i < n; ++i)
    v.push_back(x[i] * x[i]);
  for (int i = 0; i < n; ++i)
    v.push_back(v[i] * x[n - 1 - i]);
  double s = 0;
  for (double e : v)
    s += e;
  return s;
}

static void scaled(const double *x, double *y, int n) {
  std::vector<double> tmp(n);
  for (int i = 0; i < n; ++i)
    tmp[i] = x[i] * x[0];
  std::copy(tmp.begin(), tmp.end(), y);
}

enum { NVEC = 9 };
static double ring_n(const double *x) { return ring(x, NVEC); }
static double grow_n(const double *x) { return grow(x, NVEC); }

int main() {
  double x[NVEC], dx[NVEC], want[NVEC], fd[NVEC], v[NVEC], s[NVEC];
  for (int i = 0; i < NVEC; ++i) {
    x[i] = 1.1 * std::sin(1.9 * i + 0.3);
    v[i] = std::cos(0.8 * i + 0.1);
    s[i] = std::sin(x[i]);
  }

  for (int k = 0; k < NVEC; ++k)
    want[k] = std::cos(x[k]) * (s[(k + 1) % NVEC] +
                                s[(k + NVEC - 1) % NVEC] + s[NVEC - 1 - k]);
  fd_gradient(ring_n, x, NVEC, fd);
  std::memset(dx, 0, sizeof dx);
  __enzyme_autodiff((void *)ring, x, dx, NVEC);
  CHECK_ARRAY(dx, want, fd, NVEC);
  CHECK_DERIV(__enzyme_fwddiff((void *)ring, x, v, NVEC),
              dotn(want, v, NVEC), fd_dir(ring_n, x, v, NVEC));

  for (int k = 0; k < NVEC; ++k) {
    double m = x[NVEC - 1 - k];
    want[k] = 2.0 * x[k] + 2.0 * x[k] * m + m * m;
  }
  fd_gradient(grow_n, x, NVEC, fd);
  std::memset(dx, 0, sizeof dx);
  __enzyme_autodiff((void *)grow, x, dx, NVEC);
  CHECK_ARRAY(dx, want, fd, NVEC);
  CHECK_DERIV(__enzyme_fwddiff((void *)grow, x, v, NVEC),
              dotn(want, v, NVEC), fd_dir(grow_n, x, v, NVEC));

  {
    double y[NVEC], dy[NVEC], w[NVEC], ty[NVEC], wy[NVEC], wt[NVEC];
    for (int i = 0; i < NVEC; ++i) {
      w[i] = dy[i] = 1.0 - 0.2 * i;
      wy[i] = x[i] * x[0];
      wt[i] = v[i] * x[0] + x[i] * v[0];
    }
    for (int k = 0; k < NVEC; ++k)
      want[k] = w[k] * x[0];
    for (int i = 0; i < NVEC; ++i)
      want[0] += w[i] * x[i];
    std::memset(dx, 0, sizeof dx);
    __enzyme_autodiff((void *)scaled, x, dx, y, dy, NVEC);
    CHECK_ARRAY(dx, want, nullptr, NVEC);
    CHECK_ARRAY(y, wy, nullptr, NVEC);
    for (int i = 0; i < NVEC; ++i)
      CHECK_TRUE(dy[i] == 0.0);
    std::memset(ty, 0, sizeof ty);
    __enzyme_fwddiff((void *)scaled, x, v, y, ty, NVEC);
    CHECK_ARRAY(ty, wt, nullptr, NVEC);
  }
  return report();
}
