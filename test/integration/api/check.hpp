// Shared helpers for the C++ API integration programs: central finite
// differences of the primal and tolerant comparisons. Every derivative is
// compared with a closed form or a finite difference computed here, never
// with a value the code under test printed.
#ifndef FLUXION_TEST_API_CHECK_HPP
#define FLUXION_TEST_API_CHECK_HPP

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

static int failures = 0, checks = 0;

// Finite differences run in double even for float functions (their double
// twin), so the reference is accurate; float results get a looser bound.
template <class T> struct tol {
  static constexpr double rel = 1e-6, abs = 1e-7;
};
template <> struct tol<float> {
  static constexpr double rel = 2e-3, abs = 2e-4;
};

template <class T>
inline bool close(const char *what, int line, size_t i, double got,
                  double want) {
  ++checks;
  double scale = std::max(std::fabs(got), std::fabs(want));
  if (std::fabs(got - want) <= tol<T>::rel * scale + tol<T>::abs)
    return true;
  ++failures;
  std::printf("FAIL line %d: %s[%zu]: got %.12g want %.12g\n", line, what, i,
              got, want);
  return false;
}
#define CHECK_ALL(T, what, got, want, count)                                   \
  for (size_t i_ = 0; i_ < (count); ++i_)                                      \
    close<T>(what, __LINE__, i_, (double)(got)[i_], (double)(want)[i_]);

// J (m x n, row-major) of a map g: x -> y by central differences.
template <class G>
std::vector<double> fd_jacobian(G g, std::vector<double> x, size_t m) {
  size_t n = x.size();
  std::vector<double> J(m * n), yp(m), ym(m);
  for (size_t j = 0; j < n; ++j) {
    double x0 = x[j], h = 1e-6 * std::max(1.0, std::fabs(x0));
    x[j] = x0 + h;
    g(x.data(), yp.data());
    x[j] = x0 - h;
    g(x.data(), ym.data());
    x[j] = x0;
    for (size_t i = 0; i < m; ++i)
      J[i * n + j] = (yp[i] - ym[i]) / (2 * h);
  }
  return J;
}

// Gradient of a scalar function by central differences.
template <class S> std::vector<double> fd_gradient(S s, std::vector<double> x) {
  return fd_jacobian([&](const double *p, double *y) { y[0] = s(p); }, x, 1);
}

inline int report(const char *name) {
  std::printf("%s: %d checks, %d failures\n", name, checks, failures);
  return failures ? 1 : 0;
}

#endif
