/* Sparse Hessians with __enzyme_todense, as Enzyme's Sparse tests build
 * them: forward mode over a gradient, one row per pass, with the tangent of
 * the input read from a procedural identity column and the tangent of the
 * gradient written through a store function that appends (row, column,
 * value) triplets; the gradient's primal output is enzyme_dupnoneed with a
 * dummy pointer, so the derivative must not write it. A second view reads
 * the primal input itself through a load function (a ring: x[k mod n]).
 * The summed triplets are checked against the closed-form Hessian and
 * against central differences of the gradient. */
#include "check.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <vector>

extern int enzyme_dup, enzyme_const, enzyme_dupnoneed;
template <typename T, typename... Args> T __enzyme_autodiff(void *, Args...);
template <typename T, typename... Args> T __enzyme_fwddiff(void *, Args...);
template <typename T, typename... Args> T __enzyme_todense(Args...);

struct Triplet {
  long row, col;
  double val;
};

/* E(x) = sum_i k (x_{i+1} - x_i)^2 + sum_i sin(x_i), i over a ring. */
static double energy(long n, const double *x) {
  double e = 0;
  for (long i = 0; i < n; ++i) {
    double d = x[i + 1] - x[i];
    e += 1.5 * d * d + sin(x[i]);
  }
  return e;
}

static void gradient(long n, const double *x, double *g) {
  __enzyme_autodiff<void>((void *)energy, enzyme_const, n, enzyme_dup, x, g);
}

/* The tangent of x for row `row`: the unit vector e_row, with index n the
 * ring's copy of index 0. */
static double identity_load(int64_t offset, long row, long n) {
  long k = offset / sizeof(double);
  return (k == row || (k == n && row == 0)) ? 1.0 : 0.0;
}
static void never_store(double, int64_t, long, long) { abort(); }

/* The ring itself: x[k mod n]. */
static double ring_load(int64_t offset, const double *x, long n) {
  return x[(offset / (int64_t)sizeof(double)) % n];
}
static void ring_store(double, int64_t, const double *, long) { abort(); }

static double zero_load(int64_t, long, std::vector<Triplet> *) { return 0; }
static void triplet_store(double v, int64_t offset, long row,
                          std::vector<Triplet> *out) {
  if (v != 0.0)
    out->push_back({row, long(offset / sizeof(double)), v});
}

__attribute__((noinline)) static std::vector<Triplet> hessian(long n,
                                                              double *x) {
  std::vector<Triplet> triplets;
  double *ring =
      __enzyme_todense<double *>((void *)ring_load, (void *)ring_store, x, n);
  for (long row = 0; row < n; ++row) {
    double *dx = __enzyme_todense<double *>((void *)identity_load,
                                            (void *)never_store, row, n);
    double *dg = __enzyme_todense<double *>(
        (void *)zero_load, (void *)triplet_store, row, &triplets);
    __enzyme_fwddiff<void>((void *)gradient, enzyme_const, n, enzyme_dup, ring,
                           dx, enzyme_dupnoneed, (double *)0x1, dg);
  }
  return triplets;
}

int main() {
  const long n = 6;
  double x[n + 1];
  for (long i = 0; i < n; ++i)
    x[i] = 0.3 * i - 0.5 + 0.1 * i * i;
  x[n] = x[0];
  std::vector<Triplet> triplets = hessian(n, x);
  double H[n][n] = {};
  for (const Triplet &t : triplets) {
    if (t.row < 0 || t.row >= n || t.col < 0 || t.col > n) {
      printf("FAIL triplet (%ld, %ld) out of range\n", t.row, t.col);
      return 1;
    }
    H[t.row][t.col % n] += t.val;
  }
  for (long i = 0; i < n; ++i)
    for (long j = 0; j < n; ++j) {
      /* closed form: 3 (2 on the diagonal, -1 to each ring neighbour)
       * - sin(x_i) on the diagonal */
      double closed = 0;
      if (i == j)
        closed = 6.0 - sin(x[i]);
      else if ((i + 1) % n == j || (j + 1) % n == i)
        closed = -3.0;
      /* central difference of gradient component i in x_j */
      double h = 1e-5, plus[n + 1], minus[n + 1], gp[n + 1] = {},
             gm[n + 1] = {};
      for (long k = 0; k <= n; ++k)
        plus[k] = minus[k] = x[k];
      plus[j] += h;
      minus[j] -= h;
      plus[n] = plus[0];
      minus[n] = minus[0];
      gradient(n, plus, gp);
      gradient(n, minus, gm);
      double fd =
          ((gp[i] + (i == 0 ? gp[n] : 0)) - (gm[i] + (i == 0 ? gm[n] : 0))) /
          (2 * h);
      CHECK_DERIV(H[i][j], closed, fd);
    }
  return report();
}
