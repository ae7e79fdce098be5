// Shared helpers for the Eigen integration programs: the builtins, central
// finite differences of the primal and tolerant comparisons. Every
// derivative is compared with a closed form written in the test or with a
// central finite difference computed here, never with a number the code under
// test printed.
//
// Tolerances (|got - want| <= rtol * max(|got|, |want|) + atol):
//   closed form          rtol 1e-9, atol 1e-12
//   finite difference    rtol 1e-6, atol 1e-7 (h = 1e-6 * max(1, |x|))
//
// Each program tests forward mode, reverse mode and (where it has one)
// vector forward mode; -DTEST_FWD, -DTEST_REV or -DTEST_VEC compiles only
// that mode (CMake registers one test per mode, so a mode the engine cannot
// differentiate yet does not hide the others); with none, all three.
#ifndef FLUXION_TEST_EIGEN_CHECK_HPP
#define FLUXION_TEST_EIGEN_CHECK_HPP

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#if !defined(TEST_FWD) && !defined(TEST_REV) && !defined(TEST_VEC)
#define TEST_FWD 1
#define TEST_REV 1
#define TEST_VEC 1
#endif

extern int enzyme_dup, enzyme_const, enzyme_out, enzyme_width;
double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);
struct Vec2 {
  double d[2];
};
struct Vec3 {
  double d[3];
};
Vec2 __enzyme_fwddiff_2(void *, ...) __asm__("__enzyme_fwddiff");
Vec3 __enzyme_fwddiff_3(void *, ...) __asm__("__enzyme_fwddiff");
Vec3 __enzyme_autodiff_3(void *, ...) __asm__("__enzyme_autodiff");

static int failures = 0, checks = 0;

inline bool close_to(const char *what, int line, int i, double got, double want,
                     double rtol, double atol) {
  ++checks;
  double scale = std::max(std::fabs(got), std::fabs(want));
  if (std::fabs(got - want) <= rtol * scale + atol) // false for NaN
    return true;
  ++failures;
  std::printf("FAIL line %d: %s[%d]: got %.15g want %.15g\n", line, what, i,
              got, want);
  std::fflush(stdout);
  return false;
}
#define CHECK_CLOSED(what, i, got, want)                                       \
  close_to(what " (closed form)", __LINE__, (int)(i), (got), (want), 1e-9,     \
           1e-12)
#define CHECK_FD(what, i, got, want)                                           \
  close_to(what " (finite difference)", __LINE__, (int)(i), (got), (want),     \
           1e-6, 1e-7)
// got[0..n) against a closed form and a finite difference (either may be
// null).
template <class G>
void check_vec(const char *what, int line, const G &got, const double *closed,
               const double *fd, int n) {
  std::string c = std::string(what) + " (closed form)",
              f = std::string(what) + " (finite difference)";
  for (int i = 0; i < n; ++i) {
    if (closed)
      close_to(c.c_str(), line, i, got[i], closed[i], 1e-9, 1e-12);
    if (fd)
      close_to(f.c_str(), line, i, got[i], fd[i], 1e-6, 1e-7);
  }
}
#define CHECK_VEC(what, got, closed, fd, n)                                    \
  check_vec(what, __LINE__, got, closed, fd, n)

using ScalarFn = std::function<double(const double *)>;

inline double fd_step(double x) { return 1e-6 * std::max(1.0, std::fabs(x)); }

// Gradient of f at x[0..n) by central differences.
inline std::vector<double> fd_gradient(const ScalarFn &f, const double *x0,
                                       int n) {
  std::vector<double> x(x0, x0 + n), g(n);
  for (int j = 0; j < n; ++j) {
    double h = fd_step(x0[j]);
    x[j] = x0[j] + h;
    double fp = f(x.data());
    x[j] = x0[j] - h;
    double fm = f(x.data());
    x[j] = x0[j];
    g[j] = (fp - fm) / (2 * h);
  }
  return g;
}

// Directional derivative of f at x along v by a central difference.
inline double fd_directional(const ScalarFn &f, const double *x0,
                             const double *v, int n) {
  double xmax = 0, vmax = 0;
  for (int j = 0; j < n; ++j) {
    xmax = std::max(xmax, std::fabs(x0[j]));
    vmax = std::max(vmax, std::fabs(v[j]));
  }
  if (vmax == 0)
    return 0;
  double h = fd_step(xmax) / vmax;
  std::vector<double> xp(n), xm(n);
  for (int j = 0; j < n; ++j) {
    xp[j] = x0[j] + h * v[j];
    xm[j] = x0[j] - h * v[j];
  }
  return (f(xp.data()) - f(xm.data())) / (2 * h);
}

// Jacobian (m x n, row-major) of a map g: x -> y by central differences.
using MapFn = std::function<void(const double *, double *)>;
inline std::vector<double> fd_jacobian(const MapFn &g, const double *x0, int n,
                                       int m) {
  std::vector<double> x(x0, x0 + n), J(m * n), yp(m), ym(m);
  for (int j = 0; j < n; ++j) {
    double h = fd_step(x0[j]);
    x[j] = x0[j] + h;
    g(x.data(), yp.data());
    x[j] = x0[j] - h;
    g(x.data(), ym.data());
    x[j] = x0[j];
    for (int i = 0; i < m; ++i)
      J[i * n + j] = (yp[i] - ym[i]) / (2 * h);
  }
  return J;
}

inline double inner(const std::vector<double> &a, const double *b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i)
    s += a[i] * b[i];
  return s;
}

// Deterministic test data in [-1, 1].
inline std::vector<double> data(int n, double seed) {
  std::vector<double> v(n);
  for (int i = 0; i < n; ++i)
    v[i] = std::sin(1.3 * i + seed) * 0.9 + 0.05 * std::cos(7.0 * i + seed);
  return v;
}

inline int report(const char *name) {
  if (failures) {
    std::printf("%s: %d of %d checks FAILED\n", name, failures, checks);
    return 1;
  }
  if (!checks) {
    std::printf("%s: no checks ran\n", name);
    return 1;
  }
  std::printf("%s: all %d checks passed\n", name, checks);
  return 0;
}

#endif
