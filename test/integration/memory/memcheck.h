/* Shared helpers for the whole-program (memory) integration programs, C and
 * C++.  The scalar checks are those of ../host/check.h; this header adds
 * checks over arrays and finite differences of functions of any number of
 * doubles.
 *
 * Each program computes derivatives with the builtins and compares them with
 * expectations computed independently of the code under test: closed forms
 * written in the test and/or central finite differences of the primal.
 *
 * Tolerances (|got - want| <= rtol * max(|got|, |want|) + atol):
 *   TOL_CLOSED  double result vs closed form           rtol 1e-9, atol 1e-10
 *   TOL_FD      double result vs central FD (h = 1e-6 * max(1, |x|))
 *                                                      rtol 1e-5, atol 1e-7
 *   TOL_FLOAT   float result vs closed form / FD of the double twin
 *                                                      rtol 1e-4, atol 1e-5
 * The FD tolerance is looser than in host/ because these programs run long
 * loops (1000 RK4 steps, sums over arrays) whose rounding the step amplifies.
 *
 * CHECK_DERIV(got, closed, fd) checks a double derivative against both
 * references; pass NAN for a reference that does not apply.
 * CHECK_DERIV_F(got, closed, fd) is the same for float results.
 * CHECK_ARRAY(got, closed, fd, n) checks n doubles element by element against
 * two reference arrays (either may be NULL); CHECK_ARRAY_F for float got.
 * End main() with `return report();`.
 */
#ifndef FLUXION_TEST_MEMORY_MEMCHECK_H
#define FLUXION_TEST_MEMORY_MEMCHECK_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define TOL_CLOSED_R 1e-9
#define TOL_CLOSED_A 1e-10
#define TOL_FD_R 1e-5
#define TOL_FD_A 1e-7
#define TOL_FLOAT_R 1e-4
#define TOL_FLOAT_A 1e-5

static int check_failures_ = 0;
static int check_count_ = 0;

/* Returns 1 when got matches want within rtol/atol, otherwise prints the
 * failed check (with its source location) and counts it. */
static inline int check_close_(const char *file, int line, const char *what,
                               double got, double want, double rtol,
                               double atol) {
  double diff, scale;
  ++check_count_;
  diff = fabs(got - want);
  scale = fabs(got) > fabs(want) ? fabs(got) : fabs(want);
  if (!(diff <= rtol * scale + atol)) { /* also catches NaN */
    ++check_failures_;
    printf("FAIL %s:%d: %s\n     got  %.17g\n     want %.17g  (|diff| %.3g, "
           "rtol %.1g, atol %.1g)\n",
           file, line, what, got, want, diff, rtol, atol);
    fflush(stdout);
    return 0;
  }
  return 1;
}

static inline void check_deriv_(const char *file, int line, const char *what,
                                double got, double closed, double fd,
                                int is_float) {
  char buf[512];
  double cr = is_float ? TOL_FLOAT_R : TOL_CLOSED_R;
  double ca = is_float ? TOL_FLOAT_A : TOL_CLOSED_A;
  double fr = is_float ? TOL_FLOAT_R : TOL_FD_R;
  double fa = is_float ? TOL_FLOAT_A : TOL_FD_A;
  if (!isnan(closed)) {
    snprintf(buf, sizeof buf, "%s (vs closed form)", what);
    check_close_(file, line, buf, got, closed, cr, ca);
  }
  if (!isnan(fd)) {
    snprintf(buf, sizeof buf, "%s (vs finite difference)", what);
    check_close_(file, line, buf, got, fd, fr, fa);
  }
}

/* Element-wise check of n values against up to two references (NULL, or
 * NAN entries, for none).  Prints at most 8 failing elements per array; all
 * are counted. */
static inline void check_array_(const char *file, int line, const char *what,
                                const double *got, const double *closed,
                                const double *fd, int n, int is_float) {
  char buf[512];
  int k, shown = 0, hidden = 0;
  double cr = is_float ? TOL_FLOAT_R : TOL_CLOSED_R;
  double ca = is_float ? TOL_FLOAT_A : TOL_CLOSED_A;
  double fr = is_float ? TOL_FLOAT_R : TOL_FD_R;
  double fa = is_float ? TOL_FLOAT_A : TOL_FD_A;
  for (k = 0; k < n; ++k) {
    int j;
    for (j = 0; j < 2; ++j) {
      const double *ref = j == 0 ? closed : fd;
      double rtol = j == 0 ? cr : fr, atol = j == 0 ? ca : fa, diff, scale;
      if (!ref || isnan(ref[k]))
        continue;
      if (shown < 8) {
        snprintf(buf, sizeof buf, "%s[%d] (vs %s)", what, k,
                 j == 0 ? "closed form" : "finite difference");
        if (!check_close_(file, line, buf, got[k], ref[k], rtol, atol))
          ++shown;
        continue;
      }
      ++check_count_;
      diff = fabs(got[k] - ref[k]);
      scale = fabs(got[k]) > fabs(ref[k]) ? fabs(got[k]) : fabs(ref[k]);
      if (!(diff <= rtol * scale + atol)) {
        ++check_failures_;
        ++hidden;
      }
    }
  }
  if (hidden)
    printf("     (%d further failures in %s not shown)\n", hidden, what);
}

/* Widens n floats into a scratch double array (for CHECK_ARRAY_F). */
static inline const double *widen_(const float *x, int n) {
  static double buf[4096];
  int k;
  if (n > 4096)
    n = 4096;
  for (k = 0; k < n; ++k)
    buf[k] = x[k];
  return buf;
}

#define CHECK_CLOSE(got, want, rtol, atol)                                     \
  check_close_(__FILE__, __LINE__, #got, (double)(got), (double)(want),        \
               (rtol), (atol))
#define CHECK_DERIV(got, closed, fd)                                           \
  check_deriv_(__FILE__, __LINE__, #got, (double)(got), (double)(closed),      \
               (double)(fd), 0)
#define CHECK_DERIV_F(got, closed, fd)                                         \
  check_deriv_(__FILE__, __LINE__, #got, (double)(got), (double)(closed),      \
               (double)(fd), 1)
#define CHECK_ARRAY(got, closed, fd, n)                                        \
  check_array_(__FILE__, __LINE__, #got, (got), (closed), (fd), (n), 0)
#define CHECK_ARRAY_F(got, closed, fd, n)                                      \
  check_array_(__FILE__, __LINE__, #got, widen_((got), (n)), (closed), (fd),   \
               (n), 1)
/* A plain condition (for values that must match exactly, e.g. primal
 * results, consumed adjoints, or zero derivatives). */
#define CHECK_TRUE(cond)                                                       \
  do {                                                                         \
    ++check_count_;                                                            \
    if (!(cond)) {                                                             \
      ++check_failures_;                                                       \
      printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                   \
      fflush(stdout);                                                          \
    }                                                                          \
  } while (0)

/* Step for a central difference at x. */
static inline double fd_step_(double x) {
  return 1e-6 * (fabs(x) > 1.0 ? fabs(x) : 1.0);
}

/* Central finite difference of a scalar function of one double. */
static inline double fd1(double (*f)(double), double x) {
  double h = fd_step_(x);
  volatile double xp = x + h, xm = x - h; /* the step actually taken */
  return (f(xp) - f(xm)) / (xp - xm);
}

/* Central finite difference of f(x[0..n-1]) along coordinate i (any n). */
static inline double fd_partial(double (*f)(const double *), const double *x,
                                int n, int i) {
  double *xp = (double *)malloc(sizeof(double) * (size_t)n);
  double *xm = (double *)malloc(sizeof(double) * (size_t)n);
  double h = fd_step_(x[i]), r;
  int k;
  for (k = 0; k < n; ++k)
    xp[k] = xm[k] = x[k];
  xp[i] = x[i] + h;
  xm[i] = x[i] - h;
  r = (f(xp) - f(xm)) / (xp[i] - xm[i]);
  free(xp);
  free(xm);
  return r;
}

/* The full central-difference gradient of f at x into g[0..n-1]. */
static inline void fd_gradient(double (*f)(const double *), const double *x,
                               int n, double *g) {
  int i;
  for (i = 0; i < n; ++i)
    g[i] = fd_partial(f, x, n, i);
}

/* Central finite difference of f at x along direction v (a JVP). */
static inline double fd_dir(double (*f)(const double *), const double *x,
                            const double *v, int n) {
  double *xp = (double *)malloc(sizeof(double) * (size_t)n);
  double *xm = (double *)malloc(sizeof(double) * (size_t)n);
  double h, vmax = 0, xmax = 0, r;
  int k;
  for (k = 0; k < n; ++k) {
    if (fabs(v[k]) > vmax)
      vmax = fabs(v[k]);
    if (fabs(x[k]) > xmax)
      xmax = fabs(x[k]);
  }
  if (vmax == 0) {
    free(xp);
    free(xm);
    return 0;
  }
  h = fd_step_(xmax) / vmax;
  for (k = 0; k < n; ++k) {
    xp[k] = x[k] + h * v[k];
    xm[k] = x[k] - h * v[k];
  }
  r = (f(xp) - f(xm)) / (2 * h);
  free(xp);
  free(xm);
  return r;
}

/* sum_k a[k] * b[k], for directional checks against a gradient. */
static inline double dotn(const double *a, const double *b, int n) {
  double s = 0;
  int k;
  for (k = 0; k < n; ++k)
    s += a[k] * b[k];
  return s;
}

/* Prints a summary; returns the exit status for main(). */
static inline int report(void) {
  if (check_failures_) {
    printf("%d of %d checks FAILED\n", check_failures_, check_count_);
    return 1;
  }
  if (check_count_ == 0) {
    printf("no checks ran\n");
    return 1;
  }
  printf("all %d checks passed\n", check_count_);
  return 0;
}

#endif
