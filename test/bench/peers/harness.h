/* Shared by the peer benchmarks: timing, finite-difference checks of the
 * derivatives and the RESULT lines that run.py reads. Header-only, so that
 * every program is a single C file that any clang AD plugin can build. */
#ifndef PEERS_HARNESS_H
#define PEERS_HARNESS_H

/* clock_gettime under -std=c11. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 199309L
#endif

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Enzyme's activity markers; Fluxion recognizes the same names. */
extern int enzyme_dup, enzyme_const, enzyme_out, enzyme_dupnoneed;

/* Every timed call returns a value that is added here, so that the
 * optimizer cannot drop a call. */
static volatile double harness_sink;
static int harness_failures;

/* Deterministic inputs (xorshift64), the same with every compiler. */
static unsigned long long harness_seed = 0x9e3779b97f4a7c15ull;
static inline double harness_uniform(double lo, double hi) {
  harness_seed ^= harness_seed << 13;
  harness_seed ^= harness_seed >> 7;
  harness_seed ^= harness_seed << 17;
  return lo + (hi - lo) * (double)(harness_seed >> 11) * 0x1p-53;
}
static inline void harness_fill(double *x, size_t n, double lo, double hi) {
  for (size_t i = 0; i < n; ++i)
    x[i] = harness_uniform(lo, hi);
}

static inline void *harness_alloc(size_t n) {
  void *p = calloc(n, sizeof(double));
  if (!p) {
    fprintf(stderr, "out of memory\n");
    exit(2);
  }
  return p;
}

static inline int harness_quick(void) {
  const char *q = getenv("PEERS_QUICK");
  return q && *q && strcmp(q, "0") != 0;
}

static inline double harness_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef double (*harness_fn)(void *ctx);

static inline double harness_run(harness_fn fn, void *ctx, long reps) {
  double sum = 0, start = harness_now();
  for (long r = 0; r < reps; ++r)
    sum += fn(ctx);
  double elapsed = harness_now() - start;
  harness_sink += sum;
  return elapsed;
}

static inline int harness_cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Seconds per call of fn: the repetitions are calibrated so that one
 * measurement lasts 0.1-0.2 s (the calibration also warms caches and the
 * allocator), and the median of five measurements is taken. PEERS_QUICK=1
 * makes it one measurement of about 0.01 s, for smoke tests of the suite. */
static inline double harness_time(harness_fn fn, void *ctx) {
  int quick = harness_quick(), count = quick ? 1 : 5;
  double target = quick ? 0.01 : 0.1;
  long reps = 1;
  double t = harness_run(fn, ctx, reps);
  while (t < target) {
    double grow = t > 0 ? 1.5 * target / t : 100;
    grow = grow > 100 ? 100 : grow < 1.5 ? 1.5 : grow;
    reps = (long)ceil((double)reps * grow);
    t = harness_run(fn, ctx, reps);
  }
  double m[5];
  for (int i = 0; i < count; ++i)
    m[i] = harness_run(fn, ctx, reps);
  qsort(m, count, sizeof m[0], harness_cmp);
  return m[count / 2] / (double)reps;
}

/* Times the derivative against the primal and prints the line run.py
 * parses: RESULT <program> <quantity> <ratio> <primal s> <derivative s>. */
static inline void harness_compare(const char *program, const char *quantity,
                                   harness_fn primal, harness_fn derivative,
                                   void *ctx) {
  double tp = harness_time(primal, ctx);
  double td = harness_time(derivative, ctx);
  printf("%s %s: primal %.3e s, derivative %.3e s, ratio %.2f\n", program,
         quantity, tp, td, td / tp);
  printf("RESULT %s %s %.6g %.6e %.6e\n", program, quantity, td / tp, tp, td);
  fflush(stdout);
}

/* Evaluates the primal at the inputs the checks perturb in place. */
typedef void (*harness_eval)(void *ctx, double *out);

/* Fourth-order central difference of eval (m outputs) along v at x; x is
 * restored exactly. The O(h^4) truncation error allows a step large enough
 * to keep round-off small. */
static inline void harness_fd(harness_eval eval, void *ctx, double *x, size_t n,
                              const double *v, double h, size_t m,
                              double *out) {
  static const double step[4] = {2, 1, -1, -2}, weight[4] = {-1, 8, -8, 1};
  double *x0 = harness_alloc(n), *f = harness_alloc(m);
  memcpy(x0, x, n * sizeof *x);
  for (size_t j = 0; j < m; ++j)
    out[j] = 0;
  for (int s = 0; s < 4; ++s) {
    for (size_t i = 0; i < n; ++i)
      x[i] = x0[i] + step[s] * h * v[i];
    eval(ctx, f);
    for (size_t j = 0; j < m; ++j)
      out[j] += weight[s] * f[j] / (12 * h);
  }
  memcpy(x, x0, n * sizeof *x);
  free(x0);
  free(f);
}

/* Step h = 1e-4 * max(1, |x|) along a direction of unit max-norm: the
 * truncation error is then about 1e-16 of the fifth derivative, and the
 * round-off of the difference quotient about eps * |f| / h. A derivative
 * passes when |ad - fd| <= 1e-6 * max(|ad|, |fd|) + 1e3 * eps * (1 + |f|) / h,
 * the second term bounding that round-off for sums over many terms. */
static const double harness_rtol = 1e-6;

static inline double harness_step(const double *x, size_t n, const double *v) {
  double scale = 1;
  for (size_t i = 0; i < n; ++i)
    if (v[i] != 0 && fabs(x[i]) > scale)
      scale = fabs(x[i]);
  return 1e-4 * scale;
}

/* Compares m derivative values with their finite differences; returns the
 * worst error relative to the tolerance (pass: <= 1). */
static inline double harness_agree(const double *ad, const double *fd,
                                   const double *f, size_t m, double h) {
  double worst = 0;
  for (size_t j = 0; j < m; ++j) {
    double tol = harness_rtol * fmax(fabs(ad[j]), fabs(fd[j])) +
                 1e3 * DBL_EPSILON * (1 + fabs(f[j])) / h;
    double e = fabs(ad[j] - fd[j]) / tol;
    worst = e == e ? fmax(worst, e) : INFINITY; /* NaN fails */
  }
  return worst;
}

static inline void harness_verdict(const char *what, double worst,
                                   size_t count) {
  if (worst <= 1) {
    printf("check %s: ok (%zu values, worst error %.2g of tolerance)\n", what,
           count, worst);
  } else {
    printf("FAIL %s: derivative disagrees with finite differences "
           "(error %.3g times the tolerance)\n",
           what, worst);
    ++harness_failures;
  }
  fflush(stdout);
}

/* Error of the directional derivatives jvp (m outputs) of eval along v,
 * relative to the tolerance (pass: <= 1). */
static inline double harness_jvp_error(harness_eval eval, void *ctx, double *x,
                                       size_t n, const double *v,
                                       const double *jvp, size_t m) {
  double *fd = harness_alloc(m), *f = harness_alloc(m);
  eval(ctx, f);
  double h = harness_step(x, n, v);
  harness_fd(eval, ctx, x, n, v, h, m, fd);
  double worst = harness_agree(jvp, fd, f, m, h);
  free(fd);
  free(f);
  return worst;
}

static inline void harness_check_jvp(const char *what, harness_eval eval,
                                     void *ctx, double *x, size_t n,
                                     const double *v, const double *jvp,
                                     size_t m) {
  harness_verdict(what, harness_jvp_error(eval, ctx, x, n, v, jvp, m), m);
}

/* Checks the gradient of a scalar eval w.r.t. x[0..n): eight components
 * spread over the vector and one random direction. */
static inline void harness_check_gradient(const char *what, harness_eval eval,
                                          void *ctx, double *x, size_t n,
                                          const double *grad) {
  double *v = harness_alloc(n), f, fd, ad, worst = 0;
  eval(ctx, &f);
  size_t count = n < 8 ? n : 8;
  for (size_t k = 0; k < count; ++k) {
    size_t i = count > 1 ? k * (n - 1) / (count - 1) : 0;
    v[i] = 1;
    double h = harness_step(x, n, v);
    harness_fd(eval, ctx, x, n, v, h, 1, &fd);
    worst = fmax(worst, harness_agree(&grad[i], &fd, &f, 1, h));
    v[i] = 0;
  }
  ad = 0;
  for (size_t i = 0; i < n; ++i) {
    v[i] = harness_uniform(-1, 1);
    ad += grad[i] * v[i];
  }
  double h = harness_step(x, n, v);
  harness_fd(eval, ctx, x, n, v, h, 1, &fd);
  worst = fmax(worst, harness_agree(&ad, &fd, &f, 1, h));
  harness_verdict(what, worst, count + 1);
  free(v);
}

/* Exit status: non-zero when any check failed. */
static inline int harness_exit(void) {
  if (harness_failures)
    printf("FAIL: %d check(s) failed\n", harness_failures);
  return harness_failures != 0;
}

#endif
