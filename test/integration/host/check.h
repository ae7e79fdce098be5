/* Shared helpers for the host integration programs (C and C++).
 *
 * Each program computes a derivative with the builtins and compares it with
 * an expectation computed independently of the code under test: a closed
 * form written in the test and/or a central finite difference of the primal.
 *
 * Tolerances (|got - want| <= rtol * max(|got|, |want|) + atol):
 *   TOL_CLOSED  double result vs closed form           rtol 1e-9, atol 1e-12
 *   TOL_FD      double result vs central FD (h=1e-6*max(1,|x|))
 *                                                      rtol 1e-6, atol 1e-8
 *   TOL_FLOAT   float result vs closed form / FD of the double twin
 *                                                      rtol 1e-4, atol 1e-6
 *
 * CHECK_DERIV(got, closed, fd) checks a double derivative against both
 * references; pass NAN for a reference that does not apply.
 * CHECK_DERIV_F(got, closed, fd) is the same for float results.
 * End main() with `return report();`.
 */
#ifndef FLUXION_TEST_HOST_CHECK_H
#define FLUXION_TEST_HOST_CHECK_H

#include <math.h>
#include <stdio.h>

#define TOL_CLOSED_R 1e-9
#define TOL_CLOSED_A 1e-12
#define TOL_FD_R 1e-6
#define TOL_FD_A 1e-8
#define TOL_FLOAT_R 1e-4
#define TOL_FLOAT_A 1e-6

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

#define CHECK_CLOSE(got, want, rtol, atol)                                     \
  check_close_(__FILE__, __LINE__, #got, (double)(got), (double)(want),        \
               (rtol), (atol))
#define CHECK_DERIV(got, closed, fd)                                           \
  check_deriv_(__FILE__, __LINE__, #got, (double)(got), (double)(closed),      \
               (double)(fd), 0)
#define CHECK_DERIV_F(got, closed, fd)                                         \
  check_deriv_(__FILE__, __LINE__, #got, (double)(got), (double)(closed),      \
               (double)(fd), 1)
/* A plain condition (for values that must match exactly, e.g. primal
 * results, or zero derivatives). */
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

/* Central finite difference of f(x[0..n-1]) along coordinate i. */
static inline double fd_partial(double (*f)(const double *), const double *x,
                                int n, int i) {
  double xp[16], xm[16];
  double h = fd_step_(x[i]);
  int k;
  if (n > 16)
    return NAN;
  for (k = 0; k < n; ++k)
    xp[k] = xm[k] = x[k];
  xp[i] = x[i] + h;
  xm[i] = x[i] - h;
  return (f(xp) - f(xm)) / (xp[i] - xm[i]);
}

/* Central finite difference of f at x along direction v (a JVP). */
static inline double fd_dir(double (*f)(const double *), const double *x,
                            const double *v, int n) {
  double xp[16], xm[16];
  double h, vmax = 0, xmax = 0;
  int k;
  if (n > 16)
    return NAN;
  for (k = 0; k < n; ++k) {
    if (fabs(v[k]) > vmax)
      vmax = fabs(v[k]);
    if (fabs(x[k]) > xmax)
      xmax = fabs(x[k]);
  }
  if (vmax == 0)
    return 0;
  h = fd_step_(xmax) / vmax;
  for (k = 0; k < n; ++k) {
    xp[k] = x[k] + h * v[k];
    xm[k] = x[k] - h * v[k];
  }
  return (f(xp) - f(xm)) / (2 * h);
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
