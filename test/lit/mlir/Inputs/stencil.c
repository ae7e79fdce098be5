/* The stencil of examples/mlir/stencil.mlir, differentiated by the LLVM
 * plugin: prints the reverse-mode gradient along the direction, the
 * forward-mode derivative along it and the central difference, one number
 * a line, as the MLIR program does. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);
extern int enzyme_const, enzyme_dup;

static double energy(double *u, double k, int n) {
  double *r = malloc(n * sizeof(double));
  for (int i = 1; i < n - 1; i++)
    r[i] = k * ((u[i - 1] + u[i + 1]) - 2.0 * u[i]) + sin(u[i]);
  double e = 0;
  for (int i = 1; i < n - 1; i++)
    e += r[i] * r[i];
  free(r);
  return e;
}

static double energy_at(const double *u, const double *du, double k,
                        double dk, double h, int n) {
  double w[64];
  for (int i = 0; i < n; i++)
    w[i] = u[i] + h * du[i];
  return energy(w, k + h * dk, n);
}

int main(void) {
  enum { N = 64 };
  double u[N], du[N], gu[N] = {0};
  double k = 0.8, dk = -0.6;
  for (int i = 0; i < N; i++) {
    u[i] = sin(i * 0.37);
    du[i] = cos(i);
  }
  double gk = __enzyme_autodiff((void *)energy, enzyme_dup, u, gu, k,
                                enzyme_const, N);
  double along = 0;
  for (int i = 0; i < N; i++)
    along += gu[i] * du[i];
  along += gk * dk;
  double tangent = __enzyme_fwddiff((void *)energy, enzyme_dup, u, du,
                                    enzyme_dup, k, dk, enzyme_const, N);
  double fd = (energy_at(u, du, k, dk, 1e-6, N) -
               energy_at(u, du, k, dk, -1e-6, N)) /
              2e-6;
  printf("%g\n%g\n%g\n", along, tangent, fd);
  return 0;
}
