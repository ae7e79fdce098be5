// std::array inside the differentiated function: filled from a raw
// pointer, returned by value from helpers, nested as a matrix, and held as
// a struct member.
//   chain(x):  a = x[0..3] (std::copy into a std::array), b_i = exp(a_{i+1}
//              / 2) from a helper returning std::array by value;
//              f = sum_i a_i b_i
//              df/dx_k = exp(x_{k+1}/2) + x_{k-1} exp(x_k/2) / 2
//   kernel(x): std::array<std::array<double,3>,3> M_ij = cos(x_i - x_j);
//              f = sum_ij M_ij x_i x_j
//              df/dx_k = 2 sum_j (cos(x_k - x_j) x_j
//                                 - sin(x_k - x_j) x_k x_j)
//   frame(x):  a struct holding std::array<double,3> position and velocity;
//              f = |pos + 0.5 vel|^2 * vel_0 with pos = x[0..2], vel =
//              x[3..5]
// Closed forms (TOL_CLOSED) and central finite differences (TOL_FD).
#include "memcheck.h"
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>

extern "C" double __enzyme_autodiff(void *, ...);
extern "C" double __enzyme_fwddiff(void *, ...);

using V4 = std::array<double, 4>;

static V4 shifted_exp(const V4 &a) {
  V4 b;
  for (size_t i = 0; i < b.size(); ++i)
    b[i] = std::exp(0.5 * a[(i + 1) % a.size()]);
  return b;
}

static double chain(const double *x) {
  V4 a;
  std::copy(x, x + 4, a.begin());
  V4 b = shifted_exp(a);
  double f = 0;
  for (size_t i = 0; i < a.size(); ++i)
    f += a[i] * b[i];
  return f;
}

static double kernel(const double *x) {
  std::array<std::array<double, 3>, 3> M;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      M[i][j] = std::cos(x[i] - x[j]);
  double f = 0;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      f += M[i][j] * x[i] * x[j];
  return f;
}

struct Frame {
  std::array<double, 3> pos, vel;
};

static double frame(const double *x) {
  Frame fr;
  for (int i = 0; i < 3; ++i) {
    fr.pos[i] = x[i];
    fr.vel[i] = x[3 + i];
  }
  Frame half = fr;
  for (int i = 0; i < 3; ++i)
    half.pos[i] += 0.5 * half.vel[i];
  double r2 = 0;
  for (double p : half.pos)
    r2 += p * p;
  return r2 * fr.vel[0];
}

int main() {
  double x[6], dx[6], want[6], fd[6], v[6];
  for (int i = 0; i < 6; ++i) {
    x[i] = 0.8 * std::sin(1.4 * i + 0.6);
    v[i] = std::cos(0.9 * i + 0.2);
  }

  for (int k = 0; k < 4; ++k)
    want[k] = std::exp(0.5 * x[(k + 1) % 4]) +
              0.5 * x[(k + 3) % 4] * std::exp(0.5 * x[k]);
  fd_gradient(chain, x, 4, fd);
  std::memset(dx, 0, sizeof dx);
  __enzyme_autodiff((void *)chain, x, dx);
  CHECK_ARRAY(dx, want, fd, 4);
  CHECK_DERIV(__enzyme_fwddiff((void *)chain, x, v), dotn(want, v, 4),
              fd_dir(chain, x, v, 4));

  for (int k = 0; k < 3; ++k) {
    want[k] = 0;
    for (int j = 0; j < 3; ++j)
      want[k] += 2.0 * (std::cos(x[k] - x[j]) * x[j] -
                        std::sin(x[k] - x[j]) * x[k] * x[j]);
  }
  fd_gradient(kernel, x, 3, fd);
  std::memset(dx, 0, sizeof dx);
  __enzyme_autodiff((void *)kernel, x, dx);
  CHECK_ARRAY(dx, want, fd, 3);
  CHECK_DERIV(__enzyme_fwddiff((void *)kernel, x, v), dotn(want, v, 3),
              fd_dir(kernel, x, v, 3));

  // frame: h = pos + vel/2, f = |h|^2 vel_0;
  // df/dpos_i = 2 h_i vel_0, df/dvel_i = h_i vel_0 + [i = 0] |h|^2
  {
    double h[3], r2 = 0;
    for (int i = 0; i < 3; ++i) {
      h[i] = x[i] + 0.5 * x[3 + i];
      r2 += h[i] * h[i];
    }
    for (int i = 0; i < 3; ++i) {
      want[i] = 2.0 * h[i] * x[3];
      want[3 + i] = h[i] * x[3] + (i == 0 ? r2 : 0.0);
    }
  }
  fd_gradient(frame, x, 6, fd);
  std::memset(dx, 0, sizeof dx);
  __enzyme_autodiff((void *)frame, x, dx);
  CHECK_ARRAY(dx, want, fd, 6);
  CHECK_DERIV(__enzyme_fwddiff((void *)frame, x, v), dotn(want, v, 6),
              fd_dir(frame, x, v, 6));
  return report();
}
