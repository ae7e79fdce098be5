/* 1000 classical Runge-Kutta steps of a ring of 10 coupled states: a
 * skew-symmetric (oscillatory) linear coupling plus a mild sine term. The
 * objective is the squared norm of the final state; reverse-mode gradient
 * and one forward-mode directional derivative w.r.t. the initial state. */
#include "harness.h"

void __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);

enum { N = 10, STEPS = 1000 };

static void rhs(const double *y, double *dy) {
  for (int i = 0; i < N; ++i) {
    double left = y[i > 0 ? i - 1 : N - 1], right = y[i + 1 < N ? i + 1 : 0];
    dy[i] = right - left + 0.1 * sin(y[i]);
  }
}

static void rk4_step(double *y, double h) {
  double k1[N], k2[N], k3[N], k4[N], t[N];
  rhs(y, k1);
  for (int i = 0; i < N; ++i)
    t[i] = y[i] + 0.5 * h * k1[i];
  rhs(t, k2);
  for (int i = 0; i < N; ++i)
    t[i] = y[i] + 0.5 * h * k2[i];
  rhs(t, k3);
  for (int i = 0; i < N; ++i)
    t[i] = y[i] + h * k3[i];
  rhs(t, k4);
  for (int i = 0; i < N; ++i)
    y[i] += h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
}

double rk4_objective(const double *y0, int steps) {
  double y[N];
  memcpy(y, y0, sizeof y);
  for (int s = 0; s < steps; ++s)
    rk4_step(y, 0.01);
  double f = 0;
  for (int i = 0; i < N; ++i)
    f += y[i] * y[i];
  return f;
}

struct problem {
  double y0[N], grad[N], dir[N];
};

static double primal(void *ctx) {
  struct problem *p = ctx;
  return rk4_objective(p->y0, STEPS);
}

static void eval(void *ctx, double *out) { *out = primal(ctx); }

static double gradient(void *ctx) {
  struct problem *p = ctx;
  memset(p->grad, 0, sizeof p->grad);
  __enzyme_autodiff((void *)rk4_objective, enzyme_dup, p->y0, p->grad,
                    enzyme_const, STEPS);
  return p->grad[0];
}

static double jvp(void *ctx) {
  struct problem *p = ctx;
  return __enzyme_fwddiff((void *)rk4_objective, enzyme_dup, p->y0, p->dir,
                          enzyme_const, STEPS);
}

int main(void) {
  static struct problem p;
  harness_fill(p.y0, N, -1, 1);
  harness_fill(p.dir, N, -1, 1);

  gradient(&p);
  harness_check_gradient("rk4 reverse", eval, &p, p.y0, N, p.grad);
  double d = jvp(&p);
  harness_check_jvp("rk4 forward", eval, &p, p.y0, N, p.dir, &d, 1);

  harness_compare("rk4", "reverse", primal, gradient, &p);
  harness_compare("rk4", "forward", primal, jvp, &p);
  return harness_exit();
}
