// Derivatives of a small scalar program through Enzyme's interface (which
// Fluxion accepts unchanged) and Fluxion's own spelling.
#include <math.h>
#include <stdio.h>

int enzyme_const, enzyme_out;
double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);
typedef struct { double dx, dy; } gradient2;
gradient2 __ad_autodiff(void *, ...);

// A damped oscillator integrated with explicit Euler for n steps; returns the
// final position.
double oscillator(double stiffness, double damping, int n) {
  double x = 1.0, v = 0.0, dt = 0.01;
  for (int i = 0; i < n; ++i) {
    double a = -stiffness * x - damping * v;
    x += dt * v;
    v += dt * a;
  }
  return x;
}

double rosenbrock(double x, double y) {
  return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x);
}

int main(void) {
  double k = 4.0, c = 0.3, h = 1e-6;
  int n = 500;
  double rev = __enzyme_autodiff((void *)oscillator, k, enzyme_const, c,
                                 enzyme_const, n);
  double fwd = __enzyme_fwddiff((void *)oscillator, k, 1.0, enzyme_const, c,
                                enzyme_const, n);
  double fd = (oscillator(k + h, c, n) - oscillator(k - h, c, n)) / (2 * h);
  printf("d oscillator / d stiffness: reverse %.10f  forward %.10f  "
         "finite difference %.10f\n",
         rev, fwd, fd);

  gradient2 g = __ad_autodiff((void *)rosenbrock, 0.5, 1.5);
  printf("grad rosenbrock(0.5, 1.5) = (%.6f, %.6f), closed form (%.6f, %.6f)\n",
         g.dx, g.dy, -2 * (1 - 0.5) - 400 * 0.5 * (1.5 - 0.25),
         200 * (1.5 - 0.25));
  return 0;
}
