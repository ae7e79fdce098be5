// The public headers use no identifier a user macro of one capital letter
// can replace: they compile, and the API works, with -DN=4 -DM=3 ...
// RUN: %fluxion-clang++ -std=c++17 -O1 -DN=4 -DM=3 -DV=1 -DX=2 -DJ=5 -DW=6 -DF=7 -DT=8 -DA=9 -DB=10 -DH=11 -DI=12 -DK=13 -DR=14 -DS=15 %s -o %t
// RUN: %t
// RUN: %fluxion-clang -std=c11 -fsyntax-only -DN=4 -DM=3 -DV=1 -DX=2 -DJ=5 -DW=6 -DF=7 -DT=8 -DA=9 -DB=10 -DH=11 -x c %s
#ifdef __cplusplus
#include <fluxion/ad.hpp>

#include <array>
#include <cmath>
#include <vector>

static double product(const double *x) { return x[0] * x[1] * x[2]; }
static void outer(const double *x, double *y) {
  y[0] = x[0] * x[1];
  y[1] = x[1] + x[2];
}

int main() {
  std::vector<double> x = {2, 3, 5}, grad, hess, jac;
  fluxion::gradient(product, x, grad);
  fluxion::hessian(fluxion::fn<product>, x, hess);
  fluxion::jacobian(fluxion::fn<outer>, x, jac, 2);
  std::array<double, 3> xa = {2, 3, 5}, ga;
  double value = fluxion::value_and_grad(
      [](const std::array<double, 3> &p) { return p[0] * p[1] * p[2]; }, xa,
      ga);
  double want_grad[3] = {15, 10, 6};
  double want_hess[9] = {0, 5, 3, 5, 0, 2, 3, 2, 0};
  double want_jac[6] = {3, 2, 0, 0, 1, 1};
  int failures = value != 30;
  for (int i = 0; i < 3; ++i)
    failures += grad[i] != want_grad[i] || ga[i] != want_grad[i];
  for (int i = 0; i < 9; ++i)
    failures += std::fabs(hess[i] - want_hess[i]) > 1e-12;
  for (int i = 0; i < 6; ++i)
    failures += std::fabs(jac[i] - want_jac[i]) > 1e-12;
  return failures;
}
#else
#include <fluxion/ad.h>
#include <fluxion/runtime.h>
double cube(double x) { return x * x * x; }
double cube_fwd(double x, double dx) { return 3 * x * x * dx; }
FLUXION_FORWARD_RULE(cube, cube_fwd);
#endif
