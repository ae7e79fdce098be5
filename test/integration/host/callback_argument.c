/* A function handed down as an argument (an ODE right-hand side, a
 * callback) and called through the parameter inside helpers the optimizer
 * keeps out of line: the derivative calls the function the caller passed,
 * through two levels of helpers, with two different callbacks, and with
 * the callback passed alongside another one that is never differentiated. */
#include "check.h"

double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);

typedef void (*rhs_fn)(const double *y, double *dydt, double t);

static void decay(const double *y, double *dydt, double t) {
  dydt[0] = -1.2 * y[0] + 0.1 * t;
}
static void grow(const double *y, double *dydt, double t) {
  dydt[0] = 0.5 * y[0] * y[0];
}
static void log_step(double t) { (void)t; }

__attribute__((noinline)) static void euler_step(rhs_fn f, double *y, double t,
                                                 double h) {
  double k;
  f(y, &k, t);
  y[0] += h * k;
}

__attribute__((noinline)) static void
integrate(rhs_fn f, void (*observe)(double), double *y, double h, int n) {
  for (int i = 0; i < n; ++i) {
    euler_step(f, y, i * h, h);
    observe(i * h);
  }
}

static double solve_decay(double y0) {
  double y = y0;
  integrate(decay, log_step, &y, 0.01, 50);
  return y;
}
static double solve_grow(double y0) {
  double y = y0;
  integrate(grow, log_step, &y, 0.01, 20);
  return y;
}

/* Closed forms of the Euler recurrences' derivatives:
 * decay: y' = (1 - 0.012) y, so dy_n/dy0 = 0.988^n;
 * grow:  y' = y + 0.005 y^2, so dy'/dy = 1 + 0.01 y along the path. */
static double decay_derivative(void) { return pow(0.988, 50); }
static double grow_derivative(double y0) {
  double y = y0, d = 1.0;
  for (int i = 0; i < 20; ++i) {
    d *= 1.0 + 0.01 * y;
    y += 0.005 * y * y;
  }
  return d;
}

int main(void) {
  for (int i = 0; i < 3; ++i) {
    double y0 = 0.4 + 0.3 * i;
    CHECK_DERIV(__enzyme_autodiff((void *)solve_decay, y0), decay_derivative(),
                fd1(solve_decay, y0));
    CHECK_DERIV(__enzyme_fwddiff((void *)solve_decay, y0, 1.0),
                decay_derivative(), fd1(solve_decay, y0));
    CHECK_DERIV(__enzyme_autodiff((void *)solve_grow, y0), grow_derivative(y0),
                fd1(solve_grow, y0));
    CHECK_DERIV(__enzyme_fwddiff((void *)solve_grow, y0, 1.0),
                grow_derivative(y0), fd1(solve_grow, y0));
  }
  return report();
}
