/* Max-shifted log-sum-exp of n = 10 000 values: reverse-mode gradient and
 * one forward-mode directional derivative. */
#include "harness.h"

void __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);

enum { N = 10000 };

double logsumexp(const double *x, int n) {
  double m = x[0];
  for (int i = 1; i < n; ++i)
    m = x[i] > m ? x[i] : m;
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += exp(x[i] - m);
  return m + log(s);
}

struct problem {
  double *x, *grad, *dir;
};

static double primal(void *ctx) {
  struct problem *p = ctx;
  return logsumexp(p->x, N);
}

static void eval(void *ctx, double *out) { *out = primal(ctx); }

static double gradient(void *ctx) {
  struct problem *p = ctx;
  memset(p->grad, 0, N * sizeof(double));
  __enzyme_autodiff((void *)logsumexp, enzyme_dup, p->x, p->grad, enzyme_const,
                    N);
  return p->grad[0];
}

static double jvp(void *ctx) {
  struct problem *p = ctx;
  return __enzyme_fwddiff((void *)logsumexp, enzyme_dup, p->x, p->dir,
                          enzyme_const, N);
}

int main(void) {
  struct problem p = {harness_alloc(N), harness_alloc(N), harness_alloc(N)};
  harness_fill(p.x, N, -5, 5);
  harness_fill(p.dir, N, -1, 1);

  gradient(&p);
  harness_check_gradient("logsumexp reverse", eval, &p, p.x, N, p.grad);
  double d = jvp(&p);
  harness_check_jvp("logsumexp forward", eval, &p, p.x, N, p.dir, &d, 1);

  harness_compare("logsumexp", "reverse", primal, gradient, &p);
  harness_compare("logsumexp", "forward", primal, jvp, &p);
  return harness_exit();
}
