/* Peak memory of reverse mode over a 1000-step RK4 integration of an
 * n-state ODE, against the memory of storing the state once per step.
 * Heap use of the derivative is measured by wrapping malloc, realloc and
 * free at link time (-Wl,--wrap=...); the tape is the only heap memory the
 * gradient allocates. The same integrator is differentiated twice: with
 * every intermediate value of every step taped, and with the step function
 * marked FLUXION_CHECKPOINT (one snapshot of the state per step, the step
 * recomputed in the reverse sweep). Prints both ratios; the target is at
 * most 2. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <malloc.h>
#include <fluxion/ad.h>

void *__real_malloc(size_t);
void *__real_realloc(void *, size_t);
void __real_free(void *);
static size_t current, peak;

static void track(void *p, long sign) {
  if (p) {
    current += sign * (long)malloc_usable_size(p);
    if (current > peak)
      peak = current;
  }
}
void *__wrap_malloc(size_t n) {
  void *p = __real_malloc(n);
  track(p, 1);
  return p;
}
void *__wrap_realloc(void *old, size_t n) {
  track(old, -1);
  void *p = __real_realloc(old, n);
  track(p, 1);
  return p;
}
void __wrap_free(void *p) {
  track(p, -1);
  __real_free(p);
}

enum { N = 10, STEPS = 1000 };

/* A chain of coupled nonlinear oscillators. */
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
  for (int i = 0; i < N; ++i) t[i] = y[i] + 0.5 * h * k1[i];
  rhs(t, k2, k);
  for (int i = 0; i < N; ++i) t[i] = y[i] + 0.5 * h * k2[i];
  rhs(t, k3, k);
  for (int i = 0; i < N; ++i) t[i] = y[i] + h * k3[i];
  rhs(t, k4, k);
  for (int i = 0; i < N; ++i)
    y[i] += h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
}

/* The same step, recomputed in the reverse sweep instead of taped. */
static void rk4_step_checkpointed(double *y, double k) { rk4_step(y, k); }
FLUXION_CHECKPOINT(rk4_step_checkpointed);

double integrate(double *y, double k) {
  for (int s = 0; s < STEPS; ++s) rk4_step(y, k);
  return y[0];
}

double integrate_checkpointed(double *y, double k) {
  for (int s = 0; s < STEPS; ++s) rk4_step_checkpointed(y, k);
  return y[0];
}

double __ad_autodiff(void *, ...);

/* Peak heap bytes of one gradient of fn, and its derivative in k. */
static size_t measure(double (*fn)(double *, double), double *dk) {
  double y[N], dy[N] = {0};
  for (int i = 0; i < N; ++i) y[i] = sin(0.3 * i);
  current = peak = 0;
  if (fn == integrate)
    *dk = __ad_autodiff((void *)integrate, y, dy, 0.7);
  else
    *dk = __ad_autodiff((void *)integrate_checkpointed, y, dy, 0.7);
  return peak;
}

int main(void) {
  double state_bytes = (double)N * sizeof(double) * STEPS;
  double dk_taped, dk_checkpointed;
  size_t taped = measure(integrate, &dk_taped);
  size_t checkpointed = measure(integrate_checkpointed, &dk_checkpointed);
  printf("ode_tape: n=%d steps=%d, state once per step %.0f bytes\n", N,
         STEPS, state_bytes);
  printf("  taped:        peak heap %8zu bytes, ratio %6.2f, dk=%.12g\n",
         taped, taped / state_bytes, dk_taped);
  printf("  checkpointed: peak heap %8zu bytes, ratio %6.2f, dk=%.12g "
         "(target <= 2)\n",
         checkpointed, checkpointed / state_bytes, dk_checkpointed);
  return 0;
}
