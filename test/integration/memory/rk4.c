/* Classical RK4 over 1000 steps of a damped pendulum with a nonlinear
 * forcing parameter p:
 *   y0' = y1,   y1' = -p sin(y0) - c y1 + 0.1 y0^2 y1
 * The state lives in arrays updated in place every step (stage buffers
 * k1..k4 and a scratch state on the stack).  Derivatives of the final
 * y0 with respect to the initial state and p are checked against central
 * finite differences of the primal (TOL_FD).
 *   rk4_final(y0, p, n, dt): copies y0 into a local state, returns y[0]
 *   rk4_inplace(y, p, n, dt): overwrites y with the final state (reverse
 *     mode: seed dy = (1, 0); afterwards dy holds d y_final[0] / d y_init) */
#include "memcheck.h"
#include <string.h>

int enzyme_const;
int enzyme_dup;
int enzyme_out;

double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);

enum { STEPS = 1000 };
static const double DT = 0.005;
static const double C_DAMP = 0.3;

static void rhs(const double *y, double p, double *f) {
  f[0] = y[1];
  f[1] = -p * sin(y[0]) - C_DAMP * y[1] + 0.1 * y[0] * y[0] * y[1];
}

static void rk4_step(double *y, double p, double dt) {
  double k1[2], k2[2], k3[2], k4[2], t[2];
  rhs(y, p, k1);
  for (int i = 0; i < 2; ++i)
    t[i] = y[i] + 0.5 * dt * k1[i];
  rhs(t, p, k2);
  for (int i = 0; i < 2; ++i)
    t[i] = y[i] + 0.5 * dt * k2[i];
  rhs(t, p, k3);
  for (int i = 0; i < 2; ++i)
    t[i] = y[i] + dt * k3[i];
  rhs(t, p, k4);
  for (int i = 0; i < 2; ++i)
    y[i] += dt / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
}

static double rk4_final(const double *y0, double p, int n, double dt) {
  double y[2];
  y[0] = y0[0];
  y[1] = y0[1];
  for (int s = 0; s < n; ++s)
    rk4_step(y, p, dt);
  return y[0];
}

static void rk4_inplace(double *y, double p, int n, double dt) {
  for (int s = 0; s < n; ++s)
    rk4_step(y, p, dt);
}

/* primal of (y0[0], y0[1], p) for the finite differences */
static double final_of(const double *q) {
  return rk4_final(q, q[2], STEPS, DT);
}

int main(void) {
  const double starts[2][3] = {{1.0, 0.0, 2.0}, {-0.4, 0.8, 1.3}};
  for (int c = 0; c < 2; ++c) {
    double q[3], fd[3];
    memcpy(q, starts[c], sizeof q);
    fd_gradient(final_of, q, 3, fd);

    /* reverse through the local copy: dy0 += d/dy0, returns d/dp */
    double y0[2] = {q[0], q[1]}, dy0[2] = {0, 0};
    double dp = __enzyme_autodiff((void *)rk4_final, y0, dy0, q[2],
                                  enzyme_const, STEPS, enzyme_const, DT);
    CHECK_DERIV(dy0[0], NAN, fd[0]);
    CHECK_DERIV(dy0[1], NAN, fd[1]);
    CHECK_DERIV(dp, NAN, fd[2]);
    CHECK_TRUE(y0[0] == q[0] && y0[1] == q[1]);

    /* forward through the local copy, one input at a time */
    double e0[2] = {1, 0}, e1[2] = {0, 1}, z[2] = {0, 0};
    CHECK_DERIV(__enzyme_fwddiff((void *)rk4_final, y0, e0, q[2], 0.0,
                                 enzyme_const, STEPS, enzyme_const, DT),
                NAN, fd[0]);
    CHECK_DERIV(__enzyme_fwddiff((void *)rk4_final, y0, e1, q[2], 0.0,
                                 enzyme_const, STEPS, enzyme_const, DT),
                NAN, fd[1]);
    CHECK_DERIV(__enzyme_fwddiff((void *)rk4_final, y0, z, q[2], 1.0,
                                 enzyme_const, STEPS, enzyme_const, DT),
                NAN, fd[2]);

    /* reverse in place: the state is overwritten 1000 times */
    double y[2] = {q[0], q[1]}, dy[2] = {1.0, 0.0};
    double want_y0 = rk4_final(q, q[2], STEPS, DT);
    dp = __enzyme_autodiff((void *)rk4_inplace, enzyme_dup, y, dy,
                           enzyme_out, q[2], enzyme_const, STEPS,
                           enzyme_const, DT);
    CHECK_DERIV(dy[0], NAN, fd[0]);
    CHECK_DERIV(dy[1], NAN, fd[1]);
    CHECK_DERIV(dp, NAN, fd[2]);
    CHECK_CLOSE(y[0], want_y0, 1e-14, 0); /* the primal ran */

    /* forward in place: tangent of the final state along (1, 0, 1) */
    double yt[2] = {q[0], q[1]}, ty[2] = {1.0, 0.0};
    __enzyme_fwddiff((void *)rk4_inplace, yt, ty, q[2], 1.0, enzyme_const,
                     STEPS, enzyme_const, DT);
    CHECK_DERIV(ty[0], NAN, fd[0] + fd[2]);
    CHECK_CLOSE(yt[0], want_y0, 1e-14, 0);
  }
  return report();
}
