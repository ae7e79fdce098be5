/* Peak memory of reverse mode over a 1000-step RK4 integration of an
 * n-state ODE, against the memory of storing the state once per step.
 * Heap use of the derivative is measured by wrapping malloc, realloc and
 * free at link time (-Wl,--wrap=...); the tape is the only heap memory the
 * gradient allocates. Prints the ratio; the target is at most 2. */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <malloc.h>

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

double integrate(double *y, double k) {
  double k1[N], k2[N], k3[N], k4[N], t[N];
  const double h = 0.01;
  for (int s = 0; s < STEPS; ++s) {
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
  return y[0];
}

double __ad_autodiff(void *, ...);

int main(void) {
  double y[N], dy[N] = {0};
  for (int i = 0; i < N; ++i) y[i] = sin(0.3 * i);
  current = peak = 0;
  double dk = __ad_autodiff((void *)integrate, y, dy, 0.7);
  double state_bytes = (double)N * sizeof(double) * STEPS;
  printf("ode_tape: n=%d steps=%d peak heap %zu bytes, state once per step %.0f "
         "bytes, ratio %.2f (target <= 2), dk=%g\n",
         N, STEPS, peak, state_bytes, peak / state_bytes, dk);
  return 0;
}
