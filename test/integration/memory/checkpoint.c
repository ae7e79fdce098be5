/* FLUXION_CHECKPOINT: calls of a marked function are recomputed in the
 * reverse sweep from a snapshot of the memory they read.  Every derivative
 * here is checked against central finite differences of the primal
 * (TOL_FD), and against the same derivative without the checkpoint.
 *   ode(x): 1000 RK4 steps of a chain of 6 coupled oscillators through a
 *     checkpointed step that overwrites the state in place; the primal
 *     result left in the caller's memory must be the primal's.
 *   scan(x): a checkpointed step with a read-only weight table, a work
 *     array it fills before reading, a data-dependent branch, a scalar
 *     returned and an active scalar parameter.
 *   aliased(x): the differentiated function passes two of its own
 *     parameters, which may overlap, to a checkpointed step that writes one
 *     of them: the call is taped instead (a remark says why).
 *   logged(x): a checkpointed step that calls a function it may not
 *     recompute is taped as well.
 *   second(k): the second derivative of a checkpointed loop, forward mode
 *     over reverse mode (the callee's tape is reused by every recomputed
 *     call), against a central second difference.
 * Forward mode through the checkpointed functions is checked too. */
#include "memcheck.h"
#include <fluxion/ad.h>
#include <stdio.h>

double __ad_autodiff(void *, ...);
double __ad_fwddiff(void *, ...);

enum { N = 6, STEPS = 1000, W = 8 };

static void rhs(const double *y, double *dy, double k) {
  for (int i = 0; i < N; ++i) {
    double left = i > 0 ? y[i - 1] : 0.0, right = i + 1 < N ? y[i + 1] : 0.0;
    dy[i] = k * sin(left - y[i]) + k * sin(right - y[i]) - 0.1 * y[i];
  }
}

static void rk4_step(double *y, double k) {
  double k1[N], k2[N], k3[N], k4[N], t[N];
  const double h = 0.01;
  rhs(y, k1, k);
  for (int i = 0; i < N; ++i)
    t[i] = y[i] + 0.5 * h * k1[i];
  rhs(t, k2, k);
  for (int i = 0; i < N; ++i)
    t[i] = y[i] + 0.5 * h * k2[i];
  rhs(t, k3, k);
  for (int i = 0; i < N; ++i)
    t[i] = y[i] + h * k3[i];
  rhs(t, k4, k);
  for (int i = 0; i < N; ++i)
    y[i] += h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
}

static void rk4_step_checkpointed(double *y, double k) { rk4_step(y, k); }
FLUXION_CHECKPOINT(rk4_step_checkpointed);

static double integrate(double *y, double k) {
  for (int s = 0; s < STEPS; ++s)
    rk4_step_checkpointed(y, k);
  return y[0] * y[1] + y[N - 1];
}

static double integrate_taped(double *y, double k) {
  for (int s = 0; s < STEPS; ++s)
    rk4_step(y, k);
  return y[0] * y[1] + y[N - 1];
}

/* x = (y[0..N-1], k) */
static double ode(const double *x) {
  double y[N];
  for (int i = 0; i < N; ++i)
    y[i] = x[i];
  return integrate(y, x[N]);
}

static void check_ode(void) {
  double x[N + 1], fd[N + 1], y[N], dy[N], y_taped[N], dy_taped[N];
  for (int i = 0; i < N; ++i)
    x[i] = sin(0.3 * i + 0.2);
  x[N] = 0.7;
  fd_gradient(ode, x, N + 1, fd);
  for (int i = 0; i < N; ++i) {
    y[i] = y_taped[i] = x[i];
    dy[i] = dy_taped[i] = 0;
  }
  double dk = __ad_autodiff((void *)integrate, y, dy, x[N]);
  double dk_taped =
      __ad_autodiff((void *)integrate_taped, y_taped, dy_taped, x[N]);
  CHECK_ARRAY(dy, dy_taped, fd, N);
  CHECK_DERIV(dk, dk_taped, fd[N]);
  /* The caller's state holds the primal's final state afterwards. */
  double primal[N];
  for (int i = 0; i < N; ++i)
    primal[i] = x[i];
  integrate(primal, x[N]);
  CHECK_ARRAY(y, primal, NULL, N);

  /* The tangent of the state is updated in place: keep the direction. */
  double v[N], dir[N + 1], ydot = 0;
  for (int i = 0; i < N; ++i) {
    y[i] = x[i];
    v[i] = dir[i] = cos(i + 1.0);
    ydot += dir[i] * fd[i];
  }
  dir[N] = 0;
  double jvp = __ad_fwddiff((void *)integrate, y, v, ad_const, x[N]);
  CHECK_DERIV(jvp, ydot, fd_dir(ode, x, dir, N + 1));
}

/* out = sum_j w_j * tanh(a * state_j + work_j); state is updated in place,
 * work is filled before it is read. */
static double mix(const double *w, double *state, double *work, double a) {
  for (int j = 0; j < W; ++j)
    work[j] = state[j] > 0 ? sin(state[j]) : state[j] * state[j];
  double out = 0;
  for (int j = 0; j < W; ++j) {
    double u = tanh(a * state[j] + work[j]);
    out += w[j] * u;
    state[j] = 0.5 * state[j] + 0.25 * u;
  }
  return out;
}
FLUXION_CHECKPOINT(mix);

static double weights[W];

static double scan_fn(double *state, double a) {
  double work[W], total = 0;
  for (int s = 0; s < 50; ++s)
    total += mix(weights, state, work, a) * (1.0 + 0.01 * s);
  return total;
}

/* x = (state[0..W-1], a) */
static double scan(const double *x) {
  double state[W];
  for (int j = 0; j < W; ++j)
    state[j] = x[j];
  return scan_fn(state, x[W]);
}

static void check_scan(void) {
  double x[W + 1], fd[W + 1], state[W], dstate[W];
  for (int j = 0; j < W; ++j) {
    weights[j] = 0.5 + 0.1 * j;
    x[j] = (j % 3 == 0 ? -0.4 : 0.3) + 0.05 * j;
  }
  x[W] = 1.3;
  fd_gradient(scan, x, W + 1, fd);
  for (int j = 0; j < W; ++j) {
    state[j] = x[j];
    dstate[j] = 0;
  }
  double da = __ad_autodiff((void *)scan_fn, state, dstate, x[W]);
  CHECK_ARRAY(dstate, NULL, fd, W);
  CHECK_DERIV(da, NAN, fd[W]);
}

static void shift(double *dst, const double *src, double c) {
  for (int i = 0; i < N; ++i)
    dst[i] = c * sin(src[i]) + dst[i];
}
FLUXION_CHECKPOINT(shift);

static double aliased_fn(double *a, double *b, double c) {
  for (int s = 0; s < 20; ++s)
    shift(a, b, c);
  return a[0] + a[N - 1];
}

/* x = (a[0..N-1], b[0..N-1], c) */
static double aliased(const double *x) {
  double a[N], b[N];
  for (int i = 0; i < N; ++i) {
    a[i] = x[i];
    b[i] = x[N + i];
  }
  return aliased_fn(a, b, x[2 * N]);
}

static void check_aliased(void) {
  double x[2 * N + 1], fd[2 * N + 1], a[N], b[N], da[N], db[N];
  for (int i = 0; i < 2 * N; ++i)
    x[i] = 0.1 * i - 0.3;
  x[2 * N] = 0.6;
  fd_gradient(aliased, x, 2 * N + 1, fd);
  for (int i = 0; i < N; ++i) {
    a[i] = x[i];
    b[i] = x[N + i];
    da[i] = db[i] = 0;
  }
  double dc =
      __ad_autodiff((void *)aliased_fn, a, da, b, db, x[2 * N]);
  CHECK_ARRAY(da, NULL, fd, N);
  CHECK_ARRAY(db, NULL, fd + N, N);
  CHECK_DERIV(dc, NAN, fd[2 * N]);
}

static int verbose;

static void logged_step(double *y, double k) {
  if (verbose)
    printf("step %g\n", y[0]);
  for (int i = 0; i < N; ++i)
    y[i] = y[i] + 0.1 * sin(k * y[i]);
}
FLUXION_CHECKPOINT(logged_step);

static double logged_fn(double *y, double k) {
  for (int s = 0; s < 10; ++s)
    logged_step(y, k);
  return y[2];
}

static double logged(const double *x) {
  double y[N];
  for (int i = 0; i < N; ++i)
    y[i] = x[i];
  return logged_fn(y, x[N]);
}

static void check_logged(void) {
  double x[N + 1], fd[N + 1], y[N], dy[N];
  for (int i = 0; i <= N; ++i)
    x[i] = 0.2 * i + 0.1;
  fd_gradient(logged, x, N + 1, fd);
  for (int i = 0; i < N; ++i) {
    y[i] = x[i];
    dy[i] = 0;
  }
  double dk = __ad_autodiff((void *)logged_fn, y, dy, x[N]);
  CHECK_ARRAY(dy, NULL, fd, N);
  CHECK_DERIV(dk, NAN, fd[N]);
}

static void twist(double *y, double k) {
  double t[4];
  for (int i = 0; i < 4; ++i)
    t[i] = sin(y[i]) * k;
  for (int i = 0; i < 4; ++i)
    y[i] += 0.1 * t[(i + 1) % 4];
}
FLUXION_CHECKPOINT(twist);

static const double twist_y0[4] = {0.1, 0.5, -0.3, 0.9};

static double twisted(double *y, double k) {
  for (int s = 0; s < 30; ++s)
    twist(y, k);
  return y[0] * y[2];
}

static double twisted_at(double k) {
  double y[4];
  for (int i = 0; i < 4; ++i)
    y[i] = twist_y0[i];
  return twisted(y, k);
}

static double twisted_gradient(double k) {
  double y[4], dy[4] = {0};
  for (int i = 0; i < 4; ++i)
    y[i] = twist_y0[i];
  return __ad_autodiff((void *)twisted, y, dy, k);
}

static void check_second(void) {
  double k = 0.8, h = 1e-4;
  double second = __ad_fwddiff((void *)twisted_gradient, k, 1.0);
  double fd2 =
      (twisted_at(k + h) - 2 * twisted_at(k) + twisted_at(k - h)) / (h * h);
  CHECK_DERIV(twisted_gradient(k), NAN, fd1(twisted_at, k));
  /* A second difference loses half the digits of a first one. */
  CHECK_CLOSE(second, fd2, 1e-5, 1e-6);
}

int main(int argc, char **argv) {
  (void)argv;
  verbose = argc > 100;
  check_ode();
  check_scan();
  check_aliased();
  check_logged();
  check_second();
  return report();
}
