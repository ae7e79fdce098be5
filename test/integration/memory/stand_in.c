/* Memory without a shadow whose address meets memory with one: a constant
 * argument's array stored into a local struct that a callee reads, a
 * global table chosen by a select beside an active array, and a copy out of
 * constant memory reached through such a struct over a buffer that held
 * active values.  The constant memory's shadow is the primal pointer
 * itself; nothing flows through it and nothing is written through it.
 *   weighted(w, x)   = sum_i w_i x_i^2          d/dx_i = 2 w_i x_i
 *   picked(x, use_x) = sum_i sin(p_i) x_i, p = use_x ? x : TABLE
 *                      d/dx_i = use_x ? cos(x_i) x_i + sin(x_i) : sin(T_i)
 *   overwritten(c, x) : buf_i = x_i^3, then buf[0..H) = c[0..H),
 *                      sum_i buf_i x_i; d/dx_i = c_i (i < H), 4 x_i^3 (else)
 * Closed forms (TOL_CLOSED) and central finite differences (TOL_FD), in
 * forward and reverse mode. */
#include "memcheck.h"
#include <string.h>

double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);
extern int enzyme_const, enzyme_dup;

enum { N = 6, H = 3 };

struct operands {
  const double *w;
  const double *x;
  int n;
};

/* Recursive, so that the callee stays a call of its own. */
static double weighted_sum(const struct operands *o, int i) {
  if (i == o->n)
    return 0;
  return o->w[i] * o->x[i] * o->x[i] + weighted_sum(o, i + 1);
}

static double weighted(const double *w, const double *x) {
  struct operands o = {w, x, N};
  return weighted_sum(&o, 0);
}

static const double TABLE[N] = {0.3, -1.2, 0.7, 2.1, -0.4, 1.6};

__attribute__((noinline)) static double picked(const double *x, int use_x) {
  const double *p = use_x ? x : TABLE;
  double s = 0;
  for (int i = 0; i < N; ++i)
    s += sin(p[i]) * x[i];
  return s;
}

struct source {
  const double *from;
};

/* Copies one element per level of recursion. */
static void copy_from(double *to, const struct source *s, int n) {
  if (n == 0)
    return;
  memcpy(to, s->from, sizeof(double));
  struct source rest = {s->from + 1};
  copy_from(to + 1, &rest, n - 1);
}

static double overwritten(const double *c, const double *x) {
  double buf[N];
  for (int i = 0; i < N; ++i)
    buf[i] = x[i] * x[i] * x[i];
  struct source s = {c};
  copy_from(buf, &s, H);
  double sum = 0;
  for (int i = 0; i < N; ++i)
    sum += buf[i] * x[i];
  return sum;
}

static const double W[N] = {1.5, -0.5, 2.5, 0.25, 1.0, -2.0};
static const double C[N] = {0.9, -1.1, 0.4, 5.0, 6.0, 7.0};
static int use_x_now;
static double weighted_x(const double *x) { return weighted(W, x); }
static double picked_x(const double *x) { return picked(x, use_x_now); }
static double overwritten_x(const double *x) { return overwritten(C, x); }

/* The constant operands live on the heap, as a caller's data would: a
 * global's address would have a shadow of its own. */
static double *heap_copy(const double *from) {
  double *to = malloc(N * sizeof(double));
  for (int i = 0; i < N; ++i)
    to[i] = from[i];
  return to;
}

/* The gradient of f at x, in reverse mode and as N forward passes. */
typedef void (*gradient_fn)(const double *x, double *reverse, double *forward);

static void weighted_gradients(const double *x, double *rev, double *fwd) {
  double *w = heap_copy(W);
  memset(rev, 0, N * sizeof(double));
  __enzyme_autodiff((void *)weighted, enzyme_const, w, enzyme_dup, x, rev);
  for (int i = 0; i < N; ++i) {
    double t[N] = {0};
    t[i] = 1;
    fwd[i] =
        __enzyme_fwddiff((void *)weighted, enzyme_const, w, enzyme_dup, x, t);
  }
  free(w);
}

static void picked_gradients(const double *x, double *rev, double *fwd) {
  memset(rev, 0, N * sizeof(double));
  __enzyme_autodiff((void *)picked, enzyme_dup, x, rev, enzyme_const,
                    use_x_now);
  for (int i = 0; i < N; ++i) {
    double t[N] = {0};
    t[i] = 1;
    fwd[i] = __enzyme_fwddiff((void *)picked, enzyme_dup, x, t, enzyme_const,
                              use_x_now);
  }
}

static void overwritten_gradients(const double *x, double *rev, double *fwd) {
  double *c = heap_copy(C);
  memset(rev, 0, N * sizeof(double));
  __enzyme_autodiff((void *)overwritten, enzyme_const, c, enzyme_dup, x, rev);
  for (int i = 0; i < N; ++i) {
    double t[N] = {0};
    t[i] = 1;
    fwd[i] = __enzyme_fwddiff((void *)overwritten, enzyme_const, c, enzyme_dup,
                              x, t);
  }
  free(c);
}

static void check_gradients(gradient_fn gradients, double (*f)(const double *),
                            const double *x, const double *closed) {
  double rev[N], fwd[N], fd[N];
  gradients(x, rev, fwd);
  fd_gradient(f, x, N, fd);
  CHECK_ARRAY(rev, closed, fd, N);
  CHECK_ARRAY(fwd, closed, fd, N);
}

int main(void) {
  const double x[N] = {0.8, -1.3, 0.45, 1.7, -0.6, 1.1};
  double closed[N];

  for (int i = 0; i < N; ++i)
    closed[i] = 2 * W[i] * x[i];
  check_gradients(weighted_gradients, weighted_x, x, closed);

  for (use_x_now = 0; use_x_now < 2; ++use_x_now) {
    for (int i = 0; i < N; ++i)
      closed[i] = use_x_now ? cos(x[i]) * x[i] + sin(x[i]) : sin(TABLE[i]);
    check_gradients(picked_gradients, picked_x, x, closed);
  }

  for (int i = 0; i < N; ++i)
    closed[i] = i < H ? C[i] : 4 * x[i] * x[i] * x[i];
  check_gradients(overwritten_gradients, overwritten_x, x, closed);
  return report();
}
