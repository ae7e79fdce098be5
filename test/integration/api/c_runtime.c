/* The C interface of libfluxion_rt (fluxion/runtime.h) used from C11 the way
 * a C user would: derivative kernels written by hand with the builtins and
 * the markers of fluxion/ad.h (ad_const, ad_dup, ad_width) in the signatures
 * runtime.h expects, handed to every driver for double (_d) and float (_f):
 *
 *   fluxion_jacobian_*            forward by scalar JVPs and by vector chunks
 *                                 of width 4, 8 and 16 (remainder lanes too),
 *                                 reverse by rows, AUTO either way, with and
 *                                 without y; the width/jvp_vec fallbacks
 *   fluxion_batched_jacobian_*    per-sample kernels, samples on the pool
 *   fluxion_batched_jacobian_joint_*  kernels mapping the whole batch
 *   fluxion_hessian_*, fluxion_hvp_*  a forward-over-reverse HVP kernel
 *   FLUXION_EINVAL for missing kernels and pointers
 *   fluxion_parallel_for, fluxion_num_threads, fluxion_set_num_threads
 *
 * Besides the numbers, each driver call is checked for the number of kernel
 * calls the header promises (ceil(n / width) vector passes, m reverse
 * passes, n HVPs per Hessian, ...), counted by the kernels themselves.
 *
 * References are written here, independently of the code under test: closed
 * forms of the derivatives, and central finite differences of the double
 * primal (h = 1e-6 * max(1, |x_j|)). Float results are compared with the
 * double references at the float inputs. Outputs start as NaN, so an entry a
 * driver leaves untouched fails. Tolerances, |got - want| <= rtol *
 * max(|got|, |want|) + atol:
 *   double vs closed form         rtol 1e-10  atol 1e-12
 *   double vs finite difference   rtol 1e-6   atol 1e-7
 *   float  vs either              rtol 1e-4   atol 1e-5
 *
 * The typed part of this file (primal functions, kernels, tests) is written
 * once over T and compiled twice, for double and for float, by including
 * this file into itself. */
#ifndef C_RUNTIME_TYPED_PART
#define C_RUNTIME_TYPED_PART

#include <fluxion/ad.h>
#include <fluxion/runtime.h>

#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The builtins, declared as a C user declares them (see fluxion/ad.h). */
void __ad_fwddiff(void *fn, ...);
void __ad_autodiff(void *fn, ...);

/* ---- checks ------------------------------------------------------------ */

static int failures = 0, checks = 0;

/* Compares got[0..count) with want[0..count); prints at most 6 failures per
 * call, counts all. NaN never passes. */
static void check_array_(const char *file, int line, const char *type,
                         const char *what, const double *got,
                         const double *want, size_t count, double rtol,
                         double atol) {
  size_t k, bad = 0;
  for (k = 0; k < count; ++k) {
    double diff = fabs(got[k] - want[k]);
    double scale = fabs(got[k]) > fabs(want[k]) ? fabs(got[k]) : fabs(want[k]);
    ++checks;
    if (diff <= rtol * scale + atol)
      continue;
    ++failures;
    if (++bad <= 6)
      printf("FAIL %s:%d: [%s] %s[%zu]: got %.17g want %.17g (rtol %.0e, "
             "atol %.0e)\n",
             file, line, type, what, k, got[k], want[k], rtol, atol);
  }
  if (bad > 6)
    printf("     (%zu more failures in %s)\n", bad - 6, what);
  fflush(stdout);
}

static void check_true_(const char *file, int line, const char *type,
                        const char *what, int ok) {
  ++checks;
  if (ok)
    return;
  ++failures;
  printf("FAIL %s:%d: [%s] %s\n", file, line, type, what);
  fflush(stdout);
}
#define CHECK_TRUE(type, cond)                                                 \
  check_true_(__FILE__, __LINE__, type, #cond, (cond) != 0)
/* An integer result that must equal an expected value. */
#define CHECK_EQ(type, what, got, want)                                        \
  do {                                                                         \
    long long got_ = (long long)(got), want_ = (long long)(want);              \
    ++checks;                                                                  \
    if (got_ != want_) {                                                       \
      ++failures;                                                              \
      printf("FAIL %s:%d: [%s] %s: got %lld want %lld\n", __FILE__, __LINE__,  \
             type, what, got_, want_);                                         \
      fflush(stdout);                                                          \
    }                                                                          \
  } while (0)

#define TOL_CLOSED_d_R 1e-10
#define TOL_CLOSED_d_A 1e-12
#define TOL_FD_d_R 1e-6
#define TOL_FD_d_A 1e-7
#define TOL_CLOSED_f_R 1e-4
#define TOL_CLOSED_f_A 1e-5
#define TOL_FD_f_R 1e-4
#define TOL_FD_f_A 1e-5

/* ---- the functions and their closed-form derivatives (double) ---------- */

/* A map R^n -> R^m, y_i = tanh(sum_j a_ij x_j) + x_{i mod n} x_{(i+1) mod n},
 * with a (m x n, row-major) in the context, which no derivative flows into. */
struct map_ctx {
  size_t n, m;
  const double *a;
};
/* The same map applied to each of B samples: B*n -> B*m, samples unmixed. */
struct batch_ctx {
  struct map_ctx one;
  size_t B;
};
/* A scalar function R^n -> R, a Rosenbrock chain with coefficient c plus a
 * term that couples every pair:
 *   f = sum_{i<n-1} [c (x_{i+1} - x_i^2)^2 + (1 - x_i)^2]
 *       + 0.5 log(1 + |x|^2). */
struct scal_ctx {
  size_t n;
  double c;
};

static void map_jac_closed(const struct map_ctx *c, const double *x,
                           double *J) {
  size_t n = c->n, m = c->m, i, j;
  for (i = 0; i < m; ++i) {
    double s = 0, t;
    for (j = 0; j < n; ++j)
      s += c->a[i * n + j] * x[j];
    t = tanh(s);
    for (j = 0; j < n; ++j) {
      double d = (1 - t * t) * c->a[i * n + j];
      if (j == i % n)
        d += x[(i + 1) % n];
      if (j == (i + 1) % n)
        d += x[i % n];
      J[i * n + j] = d;
    }
  }
}

static void scal_grad_closed(const struct scal_ctx *c, const double *x,
                             double *g) {
  size_t n = c->n, i;
  double s = 1;
  for (i = 0; i < n; ++i)
    s += x[i] * x[i];
  for (i = 0; i < n; ++i) {
    double d = x[i] / s;
    if (i + 1 < n)
      d += -4 * c->c * x[i] * (x[i + 1] - x[i] * x[i]) - 2 * (1 - x[i]);
    if (i > 0)
      d += 2 * c->c * (x[i] - x[i - 1] * x[i - 1]);
    g[i] = d;
  }
}

static void scal_hess_closed(const struct scal_ctx *c, const double *x,
                             double *H) {
  size_t n = c->n, i, j;
  double s = 1;
  for (i = 0; i < n; ++i)
    s += x[i] * x[i];
  for (i = 0; i < n; ++i)
    for (j = 0; j < n; ++j)
      H[i * n + j] = (i == j ? 1 / s : 0.0) - 2 * x[i] * x[j] / (s * s);
  for (i = 0; i < n; ++i) {
    if (i + 1 < n) {
      H[i * n + i] += -4 * c->c * (x[i + 1] - x[i] * x[i]) +
                      8 * c->c * x[i] * x[i] + 2;
      H[i * n + i + 1] += -4 * c->c * x[i];
      H[(i + 1) * n + i] += -4 * c->c * x[i];
    }
    if (i > 0)
      H[i * n + i] += 2 * c->c;
  }
}

/* ---- central finite differences ------------------------------------------ */

static double fd_step(double x) { return 1e-6 * (fabs(x) > 1 ? fabs(x) : 1); }

typedef void (*map_fn_d)(const struct map_ctx *, const double *, double *);
typedef double (*scal_fn_d)(const struct scal_ctx *, const double *);

/* J (m x n) of a map by central differences. */
static void fd_jacobian(map_fn_d f, const struct map_ctx *c, const double *x,
                        double *J) {
  size_t n = c->n, m = c->m, i, j;
  double *xp = malloc(n * sizeof *xp), *yp = malloc(m * sizeof *yp),
         *ym = malloc(m * sizeof *ym);
  memcpy(xp, x, n * sizeof *xp);
  for (j = 0; j < n; ++j) {
    volatile double hi = x[j] + fd_step(x[j]), lo = x[j] - fd_step(x[j]);
    xp[j] = hi;
    f(c, xp, yp);
    xp[j] = lo;
    f(c, xp, ym);
    xp[j] = x[j];
    for (i = 0; i < m; ++i)
      J[i * n + j] = (yp[i] - ym[i]) / (hi - lo);
  }
  free(xp);
  free(yp);
  free(ym);
}

/* Gradient of a scalar function by central differences. */
static void fd_gradient(scal_fn_d f, const struct scal_ctx *c, const double *x,
                        double *g) {
  size_t n = c->n, j;
  double *xp = malloc(n * sizeof *xp);
  memcpy(xp, x, n * sizeof *xp);
  for (j = 0; j < n; ++j) {
    volatile double hi = x[j] + fd_step(x[j]), lo = x[j] - fd_step(x[j]);
    double fp, fm;
    xp[j] = hi;
    fp = f(c, xp);
    xp[j] = lo;
    fm = f(c, xp);
    xp[j] = x[j];
    g[j] = (fp - fm) / (hi - lo);
  }
  free(xp);
}

/* Hessian by central differences of the closed-form gradient (itself
 * checked against finite differences of the primal). */
static void fd_hessian_of_grad(const struct scal_ctx *c, const double *x,
                               double *H) {
  size_t n = c->n, i, j;
  double *xp = malloc(n * sizeof *xp), *gp = malloc(n * sizeof *gp),
         *gm = malloc(n * sizeof *gm);
  memcpy(xp, x, n * sizeof *xp);
  for (j = 0; j < n; ++j) {
    volatile double hi = x[j] + fd_step(x[j]), lo = x[j] - fd_step(x[j]);
    xp[j] = hi;
    scal_grad_closed(c, xp, gp);
    xp[j] = lo;
    scal_grad_closed(c, xp, gm);
    xp[j] = x[j];
    for (i = 0; i < n; ++i)
      H[i * n + j] = (gp[i] - gm[i]) / (hi - lo);
  }
  free(xp);
  free(gp);
  free(gm);
}

/* ---- inputs -------------------------------------------------------------- */

static void fill_coefficients(double *a, size_t m, size_t n) {
  size_t i, j;
  for (i = 0; i < m; ++i)
    for (j = 0; j < n; ++j)
      a[i * n + j] = 0.6 * cos(1.3 * (double)i + 0.7 * (double)j + 0.2);
}

/* Deterministic inputs in about [-0.5, 1.1]; `salt` varies them. */
static double input_value(size_t k, unsigned salt) {
  return 0.3 + 0.8 * sin(0.7 * (double)k + 0.37 * salt + 0.3);
}

static size_t ceil_div(size_t a, size_t b) { return (a + b - 1) / b; }

/* Kernel calls, counted by the kernels (which may run on several threads). */
static atomic_uint calls_jvp, calls_vec, calls_vjp, calls_hvp;
static void reset_calls(void) {
  atomic_store(&calls_jvp, 0);
  atomic_store(&calls_vec, 0);
  atomic_store(&calls_vjp, 0);
  atomic_store(&calls_hvp, 0);
}

/* Lists of the W pointers of a vector-mode argument. */
#define LANES4(p) p[0], p[1], p[2], p[3]
#define LANES8(p) LANES4(p), p[4], p[5], p[6], p[7]
#define LANES16(p)                                                             \
  LANES8(p), p[8], p[9], p[10], p[11], p[12], p[13], p[14], p[15]

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define NAME(x) CAT(x, SUFFIX)

/* ---- the typed part, once per element type ------------------------------- */

#define T double
#define SUFFIX _d
#define TYPE_NAME "double"
#define TANH tanh
#define LOG log
#define TOL_CLOSED_R TOL_CLOSED_d_R
#define TOL_CLOSED_A TOL_CLOSED_d_A
#define TOL_FD_R TOL_FD_d_R
#define TOL_FD_A TOL_FD_d_A
#include __FILE__
#undef T
#undef SUFFIX
#undef TYPE_NAME
#undef TANH
#undef LOG
#undef TOL_CLOSED_R
#undef TOL_CLOSED_A
#undef TOL_FD_R
#undef TOL_FD_A

#define T float
#define SUFFIX _f
#define TYPE_NAME "float"
#define TANH tanhf
#define LOG logf
#define TOL_CLOSED_R TOL_CLOSED_f_R
#define TOL_CLOSED_A TOL_CLOSED_f_A
#define TOL_FD_R TOL_FD_f_R
#define TOL_FD_A TOL_FD_f_A
#include __FILE__

/* ---- the thread pool ----------------------------------------------------- */

/* Its address tells threads apart. */
static _Thread_local char thread_marker;

struct loop_record {
  size_t count;
  atomic_int *hits;
  const void **owner;
};
static void record_body(void *ctx, size_t i) {
  struct loop_record *r = ctx;
  if (i < r->count) {
    atomic_fetch_add(&r->hits[i], 1);
    r->owner[i] = &thread_marker;
  } else {
    atomic_fetch_add(&r->hits[r->count], 1); /* out of range: counted apart */
  }
}

static struct loop_record new_record(size_t count) {
  struct loop_record r;
  size_t i;
  r.count = count;
  r.hits = malloc((count + 1) * sizeof *r.hits);
  r.owner = malloc((count + 1) * sizeof *r.owner);
  for (i = 0; i <= count; ++i) {
    atomic_init(&r.hits[i], 0);
    r.owner[i] = NULL;
  }
  return r;
}
static void free_record(struct loop_record *r) {
  free(r->hits);
  free((void *)r->owner);
}

/* Every index ran exactly once, and none out of range. */
static void check_record(int line, const char *what,
                         const struct loop_record *r) {
  size_t i, bad = 0;
  for (i = 0; i < r->count; ++i)
    if (atomic_load(&r->hits[i]) != 1)
      ++bad;
  check_true_(__FILE__, line, "threads", what, bad == 0);
  check_true_(__FILE__, line, "threads", "no index past count",
              atomic_load(&r->hits[r->count]) == 0);
}

/* A loop inside a loop body runs serially on the body's thread. */
#define OUTER 6
#define INNER 40
struct nested {
  struct loop_record outer;
  struct loop_record inner[OUTER];
};
static void nested_body(void *ctx, size_t i) {
  struct nested *s = ctx;
  record_body(&s->outer, i);
  if (i < OUTER)
    fluxion_parallel_for(INNER, record_body, &s->inner[i]);
}

static void test_thread_pool(void) {
  const char *env = getenv("FLUXION_NUM_THREADS");
  unsigned dflt = fluxion_num_threads(), k;
  size_t i;
  if (env && strtol(env, NULL, 10) > 0)
    CHECK_EQ("threads", "fluxion_num_threads() vs FLUXION_NUM_THREADS", dflt,
             strtol(env, NULL, 10));
  else
    CHECK_TRUE("threads", dflt >= 1);

  fluxion_set_num_threads(3);
  CHECK_EQ("threads", "after fluxion_set_num_threads(3)",
           fluxion_num_threads(), 3);
  fluxion_set_num_threads(1);
  CHECK_EQ("threads", "after fluxion_set_num_threads(1)",
           fluxion_num_threads(), 1);
  fluxion_set_num_threads(0);
  CHECK_EQ("threads", "fluxion_set_num_threads(0) restores the default",
           fluxion_num_threads(), dflt);

  for (k = 1; k <= 3; ++k) {
    struct loop_record r = new_record(1000), none = new_record(0);
    fluxion_set_num_threads(k);
    fluxion_parallel_for(r.count, record_body, &r);
    check_record(__LINE__, "parallel_for(1000) ran each index once", &r);
    fluxion_parallel_for(0, record_body, &none);
    check_record(__LINE__, "parallel_for(0) calls nothing", &none);
    if (k == 1) {
      /* One thread: no workers, the caller runs every index. */
      size_t elsewhere = 0;
      for (i = 0; i < r.count; ++i)
        elsewhere += r.owner[i] != &thread_marker;
      CHECK_EQ("threads", "indices run off the calling thread with 1 thread",
               elsewhere, 0);
    }
    free_record(&r);
    free_record(&none);
  }

  fluxion_set_num_threads(2);
  {
    struct nested s;
    size_t j, moved = 0;
    s.outer = new_record(OUTER);
    for (i = 0; i < OUTER; ++i)
      s.inner[i] = new_record(INNER);
    fluxion_parallel_for(OUTER, nested_body, &s);
    check_record(__LINE__, "outer loop ran each index once", &s.outer);
    for (i = 0; i < OUTER; ++i) {
      check_record(__LINE__, "nested loop ran each index once", &s.inner[i]);
      for (j = 0; j < INNER; ++j)
        moved += s.inner[i].owner[j] != s.outer.owner[i];
      free_record(&s.inner[i]);
    }
    CHECK_EQ("threads", "nested indices run off the body's thread", moved, 0);
    free_record(&s.outer);
  }
  fluxion_set_num_threads(0);
  CHECK_EQ("threads", "default restored", fluxion_num_threads(), dflt);
}

int main(void) {
  unsigned dflt, k;
  test_thread_pool();
  dflt = fluxion_num_threads();

  test_errors_d();
  test_errors_f();
  test_vjp_kernel_d();
  test_vjp_kernel_f();
  test_jacobians_d();
  test_jacobians_f();
  test_scalar_d();
  test_scalar_f();
  /* The drivers that use the pool, at 1, 2 and 3 threads. */
  for (k = 1; k <= 3; ++k) {
    fluxion_set_num_threads(k);
    test_batched_d();
    test_batched_f();
    test_hessians_d();
    test_hessians_f();
  }
  fluxion_set_num_threads(0);
  CHECK_EQ("threads", "default restored", fluxion_num_threads(), dflt);

  printf("c_runtime: %d checks, %d failures\n", checks, failures);
  return failures ? 1 : 0;
}

#else /* C_RUNTIME_TYPED_PART: T, SUFFIX, TYPE_NAME, TANH, LOG, TOL_* set */

/* ---- primal functions in T ------------------------------------------------ */

static void NAME(map_prim)(const struct map_ctx *c, const T *restrict x,
                           T *restrict y) {
  size_t n = c->n, m = c->m, i, j;
  for (i = 0; i < m; ++i) {
    T s = 0;
    for (j = 0; j < n; ++j)
      s += (T)c->a[i * n + j] * x[j];
    y[i] = TANH(s) + x[i % n] * x[(i + 1) % n];
  }
}

static void NAME(batch_prim)(const struct batch_ctx *c, const T *restrict x,
                             T *restrict y) {
  size_t b;
  for (b = 0; b < c->B; ++b)
    NAME(map_prim)(&c->one, x + b * c->one.n, y + b * c->one.m);
}

static T NAME(scal_prim)(const struct scal_ctx *c, const T *x) {
  size_t n = c->n, i;
  T f = 0, s = 1;
  for (i = 0; i + 1 < n; ++i) {
    T d = x[i + 1] - x[i] * x[i], e = 1 - x[i];
    f += (T)c->c * d * d + e * e;
  }
  for (i = 0; i < n; ++i)
    s += x[i] * x[i];
  return f + (T)0.5 * LOG(s);
}

/* The gradient as a function of x, differentiated once more in forward mode
 * for Hessian-vector products. It zeroes g first, so the tangent of g is the
 * tangent of the gradient alone. */
static void NAME(grad_into)(const struct scal_ctx *c, const T *x, T *g,
                            size_t n) {
  size_t i;
  for (i = 0; i < n; ++i)
    g[i] = 0;
  __ad_autodiff((void *)NAME(scal_prim), ad_const, c, ad_dup, x, g);
}

/* ---- kernels in runtime.h's signatures ------------------------------------ */

/* jvp, jvp_vec of widths 4, 8 and 16, and vjp of a primal PRIM(ctx, x, y). */
#define MAP_KERNELS(PREFIX, PRIM)                                              \
  static void NAME(PREFIX##_jvp)(void *ctx, const T *x, const T *v, T *y,      \
                                 T *jv) {                                      \
    atomic_fetch_add(&calls_jvp, 1);                                           \
    __ad_fwddiff((void *)PRIM, ad_const, (const void *)ctx, ad_dup, x, v,      \
                 ad_dup, y, jv);                                               \
  }                                                                            \
  static void NAME(PREFIX##_vec4)(void *ctx, const T *x, const T *const *v,    \
                                  T *y, T *const *jv) {                        \
    atomic_fetch_add(&calls_vec, 1);                                           \
    __ad_fwddiff((void *)PRIM, ad_width, 4, ad_const, (const void *)ctx,       \
                 ad_dup, x, LANES4(v), ad_dup, y, LANES4(jv));                 \
  }                                                                            \
  static void NAME(PREFIX##_vec8)(void *ctx, const T *x, const T *const *v,    \
                                  T *y, T *const *jv) {                        \
    atomic_fetch_add(&calls_vec, 1);                                           \
    __ad_fwddiff((void *)PRIM, ad_width, 8, ad_const, (const void *)ctx,       \
                 ad_dup, x, LANES8(v), ad_dup, y, LANES8(jv));                 \
  }                                                                            \
  static void NAME(PREFIX##_vec16)(void *ctx, const T *x, const T *const *v,   \
                                   T *y, T *const *jv) {                       \
    atomic_fetch_add(&calls_vec, 1);                                           \
    __ad_fwddiff((void *)PRIM, ad_width, 16, ad_const, (const void *)ctx,      \
                 ad_dup, x, LANES16(v), ad_dup, y, LANES16(jv));               \
  }                                                                            \
  static void NAME(PREFIX##_vjp)(void *ctx, const T *x, T *u, T *y, T *jtu) {  \
    atomic_fetch_add(&calls_vjp, 1);                                           \
    __ad_autodiff((void *)PRIM, ad_const, (const void *)ctx, ad_dup, x, jtu,   \
                  ad_dup, y, u);                                               \
  }

MAP_KERNELS(map, NAME(map_prim))
MAP_KERNELS(batch, NAME(batch_prim))

/* grad: g += grad f(x). hvp: hv = H v, forward mode over grad_into. */
static void NAME(k_grad)(void *ctx, const T *x, T *g) {
  __ad_autodiff((void *)NAME(scal_prim), ad_const, (const void *)ctx, ad_dup,
                x, g);
}
static void NAME(k_hvp)(void *ctx, const T *x, const T *v, T *hv, T *scratch,
                        size_t n) {
  atomic_fetch_add(&calls_hvp, 1);
  __ad_fwddiff((void *)NAME(grad_into), ad_const, (const void *)ctx, ad_dup, x,
               v, ad_dup, scratch, hv, ad_const, n);
}

/* ---- helpers in T ---------------------------------------------------------- */

static T *NAME(alloc_nan)(size_t count) {
  T *p = malloc((count ? count : 1) * sizeof *p);
  size_t k;
  for (k = 0; k < count; ++k)
    p[k] = (T)NAN;
  return p;
}

/* got (in T) against a double reference, at the closed-form or FD tolerance. */
static void NAME(check_t)(int line, const char *what, const T *got,
                          const double *want, size_t count, int vs_fd) {
  double *w = malloc((count ? count : 1) * sizeof *w);
  size_t k;
  for (k = 0; k < count; ++k)
    w[k] = (double)got[k];
  check_array_(__FILE__, line, TYPE_NAME, what, w, want, count,
               vs_fd ? TOL_FD_R : TOL_CLOSED_R,
               vs_fd ? TOL_FD_A : TOL_CLOSED_A);
  free(w);
}
#define CHECK_CLOSED(what, got, want, count)                                   \
  NAME(check_t)(__LINE__, what, got, want, count, 0)
#define CHECK_FD(what, got, want, count)                                       \
  NAME(check_t)(__LINE__, what, got, want, count, 1)

/* x in T and the same values in double. */
static void NAME(make_input)(T *x, double *xd, size_t count, unsigned salt) {
  size_t k;
  for (k = 0; k < count; ++k) {
    x[k] = (T)input_value(k, salt);
    xd[k] = (double)x[k];
  }
}

/* ---- fluxion_jacobian ------------------------------------------------------ */

/* One kernel set for fluxion_jacobian and the calls it must make. */
struct NAME(jac_case) {
  const char *label;
  int jvp, vjp;     /* which of these kernels are set */
  unsigned vec;     /* jvp_vec of this width is set (0: none) */
  unsigned width;   /* the width field */
  fluxion_jacobian_mode mode;
};

static void NAME(set_vec)(NAME(fluxion_map) *k, unsigned vec) {
  k->jvp_vec = vec == 4    ? NAME(map_vec4)
               : vec == 8  ? NAME(map_vec8)
               : vec == 16 ? NAME(map_vec16)
                           : NULL;
}

static void NAME(test_jacobians)(void) {
  static const size_t shapes[][2] = {{5, 7},  {7, 3}, {13, 13}, {17, 4},
                                     {1, 3},  {3, 1}, {16, 16}, {9, 20}};
  const struct NAME(jac_case) cases[] = {
      {"forward, scalar jvp", 1, 0, 0, 1, FLUXION_JACOBIAN_FORWARD},
      {"forward, width 4", 0, 0, 4, 4, FLUXION_JACOBIAN_FORWARD},
      {"forward, width 8", 0, 0, 8, 8, FLUXION_JACOBIAN_FORWARD},
      {"forward, width 16", 0, 0, 16, 16, FLUXION_JACOBIAN_FORWARD},
      {"forward, width 8 but no jvp_vec", 1, 0, 0, 8,
       FLUXION_JACOBIAN_FORWARD},
      {"forward, jvp_vec but width 1", 1, 0, 8, 1, FLUXION_JACOBIAN_FORWARD},
      {"reverse", 0, 1, 0, 0, FLUXION_JACOBIAN_REVERSE},
      {"auto, all kernels", 1, 1, 8, 8, FLUXION_JACOBIAN_AUTO},
      {"auto, forward kernels only", 1, 0, 4, 4, FLUXION_JACOBIAN_AUTO},
  };
  size_t s, c;
  for (s = 0; s < sizeof shapes / sizeof shapes[0]; ++s) {
    size_t n = shapes[s][0], m = shapes[s][1];
    double *a = malloc(n * m * sizeof *a), *xd = malloc(n * sizeof *xd),
           *Jc = malloc(n * m * sizeof *Jc), *Jfd = malloc(n * m * sizeof *Jfd),
           *yd = malloc(m * sizeof *yd);
    T *x = malloc(n * sizeof *x);
    struct map_ctx ctx;
    fill_coefficients(a, m, n);
    ctx.n = n;
    ctx.m = m;
    ctx.a = a;
    NAME(make_input)(x, xd, n, (unsigned)s);
    map_jac_closed(&ctx, xd, Jc);
    fd_jacobian(map_prim_d, &ctx, xd, Jfd);
    map_prim_d(&ctx, xd, yd);
    for (c = 0; c < sizeof cases / sizeof cases[0]; ++c) {
      const struct NAME(jac_case) *jc = &cases[c];
      NAME(fluxion_map) k;
      T *J = NAME(alloc_nan)(m * n), *y = NAME(alloc_nan)(m);
      int with_y = (c + s) % 2 == 0, rc, forward;
      unsigned lanes;
      char what[160];
      memset(&k, 0, sizeof k);
      k.ctx = &ctx;
      k.jvp = jc->jvp ? NAME(map_jvp) : NULL;
      NAME(set_vec)(&k, jc->vec);
      k.width = jc->width;
      k.vjp = jc->vjp ? NAME(map_vjp) : NULL;
      reset_calls();
      rc = NAME(fluxion_jacobian)(&k, x, J, with_y ? y : NULL, n, m, jc->mode);
      snprintf(what, sizeof what, "%zu->%zu %s: J", n, m, jc->label);
      CHECK_EQ(TYPE_NAME, what, rc, FLUXION_OK);
      CHECK_CLOSED(what, J, Jc, m * n);
      CHECK_FD(what, J, Jfd, m * n);
      if (with_y) {
        snprintf(what, sizeof what, "%zu->%zu %s: y", n, m, jc->label);
        CHECK_CLOSED(what, y, yd, m);
      }
      /* The passes the header promises. */
      forward = jc->mode == FLUXION_JACOBIAN_FORWARD ||
                (jc->mode == FLUXION_JACOBIAN_AUTO && (n <= m || !jc->vjp));
      lanes = jc->vec && jc->width > 1 ? jc->width : 1;
      snprintf(what, sizeof what, "%zu->%zu %s: jvp calls", n, m, jc->label);
      CHECK_EQ(TYPE_NAME, what, atomic_load(&calls_jvp),
               forward && lanes == 1 ? n : 0);
      snprintf(what, sizeof what, "%zu->%zu %s: jvp_vec calls", n, m,
               jc->label);
      CHECK_EQ(TYPE_NAME, what, atomic_load(&calls_vec),
               forward && lanes > 1 ? ceil_div(n, lanes) : 0);
      snprintf(what, sizeof what, "%zu->%zu %s: vjp calls", n, m, jc->label);
      CHECK_EQ(TYPE_NAME, what, atomic_load(&calls_vjp), forward ? 0 : m);
      free(J);
      free(y);
    }
    free(a);
    free(xd);
    free(Jc);
    free(Jfd);
    free(yd);
    free(x);
  }
}

/* The vjp kernel's contract, which reverse mode relies on: y = f(x),
 * jtu += J^T u, and u is consumed (zeroed). */
static void NAME(test_vjp_kernel)(void) {
  enum { n = 6, m = 4 };
  double a[m * n], xd[n], Jc[m * n], yd[m], want[n];
  T x[n], u[m], y[m], jtu[n];
  double zerod[m] = {0};
  struct map_ctx ctx = {n, m, a};
  size_t i, j;
  fill_coefficients(a, m, n);
  NAME(make_input)(x, xd, n, 7);
  map_jac_closed(&ctx, xd, Jc);
  map_prim_d(&ctx, xd, yd);
  for (i = 0; i < m; ++i)
    u[i] = (T)(0.5 * (double)i - 0.7);
  for (j = 0; j < n; ++j) {
    jtu[j] = (T)(0.25 * (double)j);
    want[j] = (double)jtu[j];
    for (i = 0; i < m; ++i)
      want[j] += Jc[i * n + j] * (double)u[i];
  }
  NAME(map_vjp)(&ctx, x, u, y, jtu);
  CHECK_CLOSED("vjp kernel: jtu += J^T u", jtu, want, n);
  CHECK_CLOSED("vjp kernel: y", y, yd, m);
  CHECK_CLOSED("vjp kernel: u consumed", u, zerod, m);
}

/* ---- batched Jacobians ------------------------------------------------------ */

static void NAME(test_batched)(void) {
  static const size_t shapes[][2] = {{3, 5}, {6, 2}};
  static const size_t batches[] = {1, 9, 33};
  size_t s, b, q;
  for (s = 0; s < 2; ++s)
    for (b = 0; b < 3; ++b) {
      size_t n = shapes[s][0], m = shapes[s][1], B = batches[b];
      double *a = malloc(m * n * sizeof *a), *Xd = malloc(B * n * sizeof *Xd),
             *Jc = malloc(B * m * n * sizeof *Jc),
             *Jfd = malloc(B * m * n * sizeof *Jfd);
      T *X = malloc(B * n * sizeof *X), *J;
      struct batch_ctx bctx;
      int rc;
      char what[160];
      fill_coefficients(a, m, n);
      bctx.one.n = n;
      bctx.one.m = m;
      bctx.one.a = a;
      bctx.B = B;
      NAME(make_input)(X, Xd, B * n, (unsigned)(3 * s + b));
      for (q = 0; q < B; ++q) {
        map_jac_closed(&bctx.one, Xd + q * n, Jc + q * m * n);
        fd_jacobian(map_prim_d, &bctx.one, Xd + q * n, Jfd + q * m * n);
      }

      /* Per sample: all kernels, AUTO inside, samples on the pool. */
      {
        NAME(fluxion_map) k = {&bctx.one, NAME(map_jvp), NAME(map_vec8), 8,
                               NAME(map_vjp)};
        J = NAME(alloc_nan)(B * m * n);
        reset_calls();
        rc = NAME(fluxion_batched_jacobian)(&k, X, J, n, m, B);
        snprintf(what, sizeof what, "per sample %zu->%zu B=%zu: J", n, m, B);
        CHECK_EQ(TYPE_NAME, what, rc, FLUXION_OK);
        CHECK_CLOSED(what, J, Jc, B * m * n);
        CHECK_FD(what, J, Jfd, B * m * n);
        snprintf(what, sizeof what, "per sample %zu->%zu B=%zu: passes", n, m,
                 B);
        CHECK_EQ(TYPE_NAME, what,
                 atomic_load(&calls_vec) + atomic_load(&calls_vjp) +
                     atomic_load(&calls_jvp),
                 B * (n <= m ? ceil_div(n, 8) : m));
        free(J);
      }

      /* Whole batch: width 8 or 16 only, scalar jvp only, all kernels. */
      {
        NAME(fluxion_map) ks[4] = {
            {&bctx, NULL, NAME(batch_vec8), 8, NULL},
            {&bctx, NULL, NAME(batch_vec16), 16, NULL},
            {&bctx, NAME(batch_jvp), NULL, 1, NULL},
            {&bctx, NAME(batch_jvp), NAME(batch_vec4), 4, NAME(batch_vjp)}};
        const char *labels[4] = {"width 8", "width 16", "scalar jvp",
                                 "all kernels"};
        size_t passes[4];
        int v;
        passes[0] = ceil_div(n, 8);
        passes[1] = ceil_div(n, 16);
        passes[2] = n;
        passes[3] = n <= m ? ceil_div(n, 4) : m;
        for (v = 0; v < 4; ++v) {
          J = NAME(alloc_nan)(B * m * n);
          reset_calls();
          rc = NAME(fluxion_batched_jacobian_joint)(&ks[v], X, J, n, m, B);
          snprintf(what, sizeof what, "joint %s %zu->%zu B=%zu: J", labels[v],
                   n, m, B);
          CHECK_EQ(TYPE_NAME, what, rc, FLUXION_OK);
          CHECK_CLOSED(what, J, Jc, B * m * n);
          CHECK_FD(what, J, Jfd, B * m * n);
          snprintf(what, sizeof what, "joint %s %zu->%zu B=%zu: passes",
                   labels[v], n, m, B);
          CHECK_EQ(TYPE_NAME, what,
                   atomic_load(&calls_vec) + atomic_load(&calls_vjp) +
                       atomic_load(&calls_jvp),
                   passes[v]);
          free(J);
        }
      }
      free(a);
      free(Xd);
      free(Jc);
      free(Jfd);
      free(X);
    }
}

/* ---- gradients, Hessians, HVPs ------------------------------------------------ */

static double NAME(scal_ref)(const struct scal_ctx *c, const double *x) {
  return scal_prim_d(c, x);
}

/* The grad kernel (no driver calls it, a C user does): g += grad f. */
static void NAME(test_scalar)(void) {
  static const size_t sizes[] = {1, 2, 6, 17};
  size_t s, i;
  for (s = 0; s < 4; ++s) {
    size_t n = sizes[s];
    struct scal_ctx ctx = {n, 10.0};
    double *xd = malloc(n * sizeof *xd), *gc = malloc(n * sizeof *gc),
           *gfd = malloc(n * sizeof *gfd);
    T *x = malloc(n * sizeof *x), *g = malloc(n * sizeof *g);
    char what[96];
    NAME(make_input)(x, xd, n, (unsigned)(11 + s));
    scal_grad_closed(&ctx, xd, gc);
    fd_gradient(NAME(scal_ref), &ctx, xd, gfd);
    /* the closed form itself against the primal */
    snprintf(what, sizeof what, "n=%zu closed-form gradient", n);
    check_array_(__FILE__, __LINE__, TYPE_NAME, what, gc, gfd, n, TOL_FD_d_R,
                 TOL_FD_d_A);
    for (i = 0; i < n; ++i) {
      g[i] = (T)0.5;
      gc[i] += 0.5;
      gfd[i] += 0.5;
    }
    NAME(k_grad)(&ctx, x, g);
    snprintf(what, sizeof what, "n=%zu grad kernel: g += grad f", n);
    CHECK_CLOSED(what, g, gc, n);
    CHECK_FD(what, g, gfd, n);
    free(xd);
    free(gc);
    free(gfd);
    free(x);
    free(g);
  }
}

static void NAME(test_hessians)(void) {
  static const size_t sizes[] = {1, 2, 6, 17};
  size_t s, i, j;
  for (s = 0; s < 4; ++s) {
    size_t n = sizes[s];
    struct scal_ctx ctx = {n, 10.0};
    NAME(fluxion_scalar) k = {&ctx, NAME(k_grad), NAME(k_hvp)};
    double *xd = malloc(n * sizeof *xd), *Hc = malloc(n * n * sizeof *Hc),
           *Hfd = malloc(n * n * sizeof *Hfd), *Hvc = malloc(n * sizeof *Hvc),
           *Hvfd = malloc(n * sizeof *Hvfd);
    T *x = malloc(n * sizeof *x), *v = malloc(n * sizeof *v),
      *H = NAME(alloc_nan)(n * n), *Hv = NAME(alloc_nan)(n);
    int rc;
    char what[96];
    NAME(make_input)(x, xd, n, (unsigned)(20 + s));
    scal_hess_closed(&ctx, xd, Hc);
    fd_hessian_of_grad(&ctx, xd, Hfd);

    reset_calls();
    rc = NAME(fluxion_hessian)(&k, x, H, n);
    snprintf(what, sizeof what, "n=%zu fluxion_hessian", n);
    CHECK_EQ(TYPE_NAME, what, rc, FLUXION_OK);
    CHECK_CLOSED(what, H, Hc, n * n);
    CHECK_FD(what, H, Hfd, n * n);
    snprintf(what, sizeof what, "n=%zu fluxion_hessian: hvp calls", n);
    CHECK_EQ(TYPE_NAME, what, atomic_load(&calls_hvp), n);

    for (i = 0; i < n; ++i) {
      v[i] = (T)(0.3 * cos(1.1 * (double)i) - 0.1);
      Hvc[i] = Hvfd[i] = 0;
    }
    for (i = 0; i < n; ++i)
      for (j = 0; j < n; ++j) {
        Hvc[i] += Hc[i * n + j] * (double)v[j];
        Hvfd[i] += Hfd[i * n + j] * (double)v[j];
      }
    reset_calls();
    rc = NAME(fluxion_hvp)(&k, x, v, Hv, n);
    snprintf(what, sizeof what, "n=%zu fluxion_hvp", n);
    CHECK_EQ(TYPE_NAME, what, rc, FLUXION_OK);
    CHECK_CLOSED(what, Hv, Hvc, n);
    CHECK_FD(what, Hv, Hvfd, n);
    snprintf(what, sizeof what, "n=%zu fluxion_hvp: hvp calls", n);
    CHECK_EQ(TYPE_NAME, what, atomic_load(&calls_hvp), 1);

    free(xd);
    free(Hc);
    free(Hfd);
    free(Hvc);
    free(Hvfd);
    free(x);
    free(v);
    free(H);
    free(Hv);
  }
}

/* ---- FLUXION_EINVAL ------------------------------------------------------------ */

static void NAME(test_errors)(void) {
  enum { n = 3, m = 2 };
  double a[m * n];
  struct map_ctx ctx = {n, m, a};
  struct scal_ctx sctx = {n, 10.0};
  T x[n] = {0.1f, 0.2f, 0.3f}, v[n] = {1, 0, 0}, J[m * n], y[m], H[n * n],
    Hv[n];
  NAME(fluxion_map) none, fwd_only, rev_only, full;
  NAME(fluxion_scalar) no_hvp = {&sctx, NAME(k_grad), NULL},
                       ok = {&sctx, NAME(k_grad), NAME(k_hvp)};
  fill_coefficients(a, m, n);
  memset(&none, 0, sizeof none);
  none.ctx = &ctx;
  none.width = 8; /* a width without jvp_vec is no forward kernel */
  fwd_only = none;
  fwd_only.jvp = NAME(map_jvp);
  rev_only = none;
  rev_only.vjp = NAME(map_vjp);
  full = fwd_only;
  full.vjp = NAME(map_vjp);
  reset_calls();

  CHECK_EQ(TYPE_NAME, "jacobian: f NULL",
           NAME(fluxion_jacobian)(NULL, x, J, y, n, m, FLUXION_JACOBIAN_AUTO),
           FLUXION_EINVAL);
  CHECK_EQ(TYPE_NAME, "jacobian: no kernels",
           NAME(fluxion_jacobian)(&none, x, J, y, n, m, FLUXION_JACOBIAN_AUTO),
           FLUXION_EINVAL);
  CHECK_EQ(TYPE_NAME, "jacobian: forward without jvp",
           NAME(fluxion_jacobian)(&rev_only, x, J, y, n, m,
                                  FLUXION_JACOBIAN_FORWARD),
           FLUXION_EINVAL);
  CHECK_EQ(TYPE_NAME, "jacobian: reverse without vjp",
           NAME(fluxion_jacobian)(&fwd_only, x, J, y, n, m,
                                  FLUXION_JACOBIAN_REVERSE),
           FLUXION_EINVAL);
  CHECK_EQ(TYPE_NAME, "jacobian: x NULL",
           NAME(fluxion_jacobian)(&full, NULL, J, y, n, m,
                                  FLUXION_JACOBIAN_AUTO),
           FLUXION_EINVAL);
  CHECK_EQ(TYPE_NAME, "jacobian: J NULL",
           NAME(fluxion_jacobian)(&full, x, NULL, y, n, m,
                                  FLUXION_JACOBIAN_AUTO),
           FLUXION_EINVAL);
  CHECK_EQ(TYPE_NAME, "batched: f NULL",
           NAME(fluxion_batched_jacobian)(NULL, x, J, n, m, 1),
           FLUXION_EINVAL);
  CHECK_EQ(TYPE_NAME, "batched: J NULL",
           NAME(fluxion_batched_jacobian)(&full, x, NULL, n, m, 1),
           FLUXION_EINVAL);
  CHECK_EQ(TYPE_NAME, "batched: no kernels",
           NAME(fluxion_batched_jacobian)(&none, x, J, n, m, 1),
           FLUXION_EINVAL);
  CHECK_EQ(TYPE_NAME, "joint: f NULL",
           NAME(fluxion_batched_jacobian_joint)(NULL, x, J, n, m, 1),
           FLUXION_EINVAL);
  CHECK_EQ(TYPE_NAME, "joint: f NULL, B = 0",
           NAME(fluxion_batched_jacobian_joint)(NULL, x, J, n, m, 0),
           FLUXION_EINVAL);
  CHECK_EQ(TYPE_NAME, "joint: B = 0 is no work",
           NAME(fluxion_batched_jacobian_joint)(&full, x, J, n, m, 0),
           FLUXION_OK);
  CHECK_EQ(TYPE_NAME, "batched: B = 0 is no work",
           NAME(fluxion_batched_jacobian)(&full, x, J, n, m, 0),
           FLUXION_OK);
  CHECK_EQ(TYPE_NAME, "hessian: f NULL",
           NAME(fluxion_hessian)(NULL, x, H, n), FLUXION_EINVAL);
  CHECK_EQ(TYPE_NAME, "hessian: no hvp kernel",
           NAME(fluxion_hessian)(&no_hvp, x, H, n), FLUXION_EINVAL);
  CHECK_EQ(TYPE_NAME, "hessian: H NULL",
           NAME(fluxion_hessian)(&ok, x, NULL, n), FLUXION_EINVAL);
  CHECK_EQ(TYPE_NAME, "hvp: no hvp kernel",
           NAME(fluxion_hvp)(&no_hvp, x, v, Hv, n), FLUXION_EINVAL);
  CHECK_EQ(TYPE_NAME, "hvp: v NULL", NAME(fluxion_hvp)(&ok, x, NULL, Hv, n),
           FLUXION_EINVAL);
  CHECK_EQ(TYPE_NAME, "hvp: Hv NULL", NAME(fluxion_hvp)(&ok, x, v, NULL, n),
           FLUXION_EINVAL);
  /* None of the refused calls ran a kernel. */
  CHECK_EQ(TYPE_NAME, "kernel calls by refused calls",
           atomic_load(&calls_jvp) + atomic_load(&calls_vec) +
               atomic_load(&calls_vjp) + atomic_load(&calls_hvp),
           0);
}

#undef MAP_KERNELS
#undef CHECK_CLOSED
#undef CHECK_FD

#endif /* C_RUNTIME_TYPED_PART */
