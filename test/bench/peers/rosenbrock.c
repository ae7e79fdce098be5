/* Extended Rosenbrock function of n = 1000 variables: reverse-mode gradient
 * and one forward-mode directional derivative. */
#include "harness.h"

void __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);

enum { N = 1000 };

double rosenbrock(const double *x, int n) {
  double f = 0;
  for (int i = 0; i + 1 < n; ++i) {
    double a = x[i + 1] - x[i] * x[i], b = 1 - x[i];
    f += 100 * a * a + b * b;
  }
  return f;
}

struct problem {
  double *x, *grad, *dir;
};

static double primal(void *ctx) {
  struct problem *p = ctx;
  return rosenbrock(p->x, N);
}

static void eval(void *ctx, double *out) { *out = primal(ctx); }

static double gradient(void *ctx) {
  struct problem *p = ctx;
  memset(p->grad, 0, N * sizeof(double));
  __enzyme_autodiff((void *)rosenbrock, enzyme_dup, p->x, p->grad, enzyme_const,
                    N);
  return p->grad[0];
}

static double jvp(void *ctx) {
  struct problem *p = ctx;
  return __enzyme_fwddiff((void *)rosenbrock, enzyme_dup, p->x, p->dir,
                          enzyme_const, N);
}

int main(void) {
  struct problem p = {harness_alloc(N), harness_alloc(N), harness_alloc(N)};
  harness_fill(p.x, N, -1.2, 1.2);
  harness_fill(p.dir, N, -1, 1);

  gradient(&p);
  harness_check_gradient("rosenbrock reverse", eval, &p, p.x, N, p.grad);
  double d = jvp(&p);
  harness_check_jvp("rosenbrock forward", eval, &p, p.x, N, p.dir, &d, 1);

  harness_compare("rosenbrock", "reverse", primal, gradient, &p);
  harness_compare("rosenbrock", "forward", primal, jvp, &p);
  return harness_exit();
}
