// <numeric> algorithms over raw pointers and local containers.
//   dot(a, b, n)     = std::inner_product(a, a+n, b, 0.0)
//                      d/da = b, d/db = a
//   sumsq(x, n)      = std::accumulate with a lambda: sum x_i^2; d/dx = 2x
//   prodsum(a, b, n) = std::inner_product with custom operations:
//                      prod_i (a_i + b_i); d/da_k = d/db_k =
//                      prod_{i != k} (a_i + b_i)
//   prefix(x, n)     = std::partial_sum into a std::vector, then
//                      std::transform_reduce of the squares:
//                      sum_k S_k^2, S_k = sum_{i<=k} x_i;
//                      d/dx_j = 2 sum_{k>=j} S_k
// Closed forms (TOL_CLOSED) and central finite differences (TOL_FD).
#include "memcheck.h"
#include <cstring>
#include <functional>
#include <numeric>
#include <vector>

extern "C" double __enzyme_autodiff(void *, ...);
extern "C" double __enzyme_fwddiff(void *, ...);

int enzyme_const;

static double dot(const double *a, const double *b, int n) {
  return std::inner_product(a, a + n, b, 0.0);
}

static double sumsq(const double *x, int n) {
  return std::accumulate(x, x + n, 0.0,
                         [](double s, double e) { return s + e * e; });
}

static double prodsum(const double *a, const double *b, int n) {
  return std::inner_product(a, a + n, b, 1.0, std::multiplies<double>(),
                            [](double u, double v) { return u + v; });
}

static double prefix(const double *x, int n) {
  std::vector<double> s(n);
  std::partial_sum(x, x + n, s.begin());
  return std::transform_reduce(s.begin(), s.end(), 0.0, std::plus<double>(),
                               [](double e) { return e * e; });
}

enum { NN = 7 };
static double dot_packed(const double *ab) { return dot(ab, ab + NN, NN); }
static double prodsum_packed(const double *ab) {
  return prodsum(ab, ab + NN, NN);
}
static double sumsq_n(const double *x) { return sumsq(x, NN); }
static double prefix_n(const double *x) { return prefix(x, NN); }

int main() {
  double ab[2 * NN], d[2 * NN], want[2 * NN], fd[2 * NN], v[2 * NN];
  for (int i = 0; i < 2 * NN; ++i) {
    ab[i] = 0.9 * std::sin(1.2 * i + 0.4) + (i % 3 == 0 ? 0.5 : 0.0);
    v[i] = std::cos(0.7 * i + 0.9);
  }
  const double *a = ab, *b = ab + NN;

  for (int i = 0; i < NN; ++i) {
    want[i] = b[i];
    want[NN + i] = a[i];
  }
  fd_gradient(dot_packed, ab, 2 * NN, fd);
  std::memset(d, 0, sizeof d);
  __enzyme_autodiff((void *)dot, a, d, b, d + NN, NN);
  CHECK_ARRAY(d, want, fd, 2 * NN);
  CHECK_DERIV(__enzyme_fwddiff((void *)dot, a, v, b, v + NN, NN),
              dotn(want, v, 2 * NN), fd_dir(dot_packed, ab, v, 2 * NN));
  // only a active
  std::memset(d, 0, sizeof d);
  __enzyme_autodiff((void *)dot, a, d, enzyme_const, b, NN);
  CHECK_ARRAY(d, want, nullptr, NN);

  for (int i = 0; i < NN; ++i)
    want[i] = 2.0 * a[i];
  fd_gradient(sumsq_n, ab, NN, fd);
  std::memset(d, 0, sizeof d);
  __enzyme_autodiff((void *)sumsq, a, d, NN);
  CHECK_ARRAY(d, want, fd, NN);
  CHECK_DERIV(__enzyme_fwddiff((void *)sumsq, a, v, NN), dotn(want, v, NN),
              fd_dir(sumsq_n, ab, v, NN));

  for (int k = 0; k < NN; ++k) {
    double p = 1.0;
    for (int i = 0; i < NN; ++i)
      if (i != k)
        p *= a[i] + b[i];
    want[k] = want[NN + k] = p;
  }
  fd_gradient(prodsum_packed, ab, 2 * NN, fd);
  std::memset(d, 0, sizeof d);
  __enzyme_autodiff((void *)prodsum, a, d, b, d + NN, NN);
  CHECK_ARRAY(d, want, fd, 2 * NN);
  CHECK_DERIV(__enzyme_fwddiff((void *)prodsum, a, v, b, v + NN, NN),
              dotn(want, v, 2 * NN), fd_dir(prodsum_packed, ab, v, 2 * NN));

  {
    double S[NN], acc = 0;
    for (int k = 0; k < NN; ++k)
      S[k] = acc += a[k];
    for (int j = 0; j < NN; ++j) {
      want[j] = 0;
      for (int k = j; k < NN; ++k)
        want[j] += 2.0 * S[k];
    }
  }
  fd_gradient(prefix_n, ab, NN, fd);
  std::memset(d, 0, sizeof d);
  __enzyme_autodiff((void *)prefix, a, d, NN);
  CHECK_ARRAY(d, want, fd, NN);
  CHECK_DERIV(__enzyme_fwddiff((void *)prefix, a, v, NN), dotn(want, v, NN),
              fd_dir(prefix_n, ab, v, NN));
  return report();
}
