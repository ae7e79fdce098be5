// The gradient of a small objective through Fluxion's C++ API, checked
// against the closed form; exits non-zero on a mismatch.
#include <fluxion/ad.hpp>

#include <cmath>
#include <cstdio>

static double rosenbrock(const double *x) {
  return (1 - x[0]) * (1 - x[0]) + 100 * (x[1] - x[0] * x[0]) * (x[1] - x[0] * x[0]);
}

int main() {
  double x[2] = {0.5, 1.5}, g[2] = {0, 0};
  fluxion::gradient(rosenbrock, x, g, 2);
  double want[2] = {-2 * (1 - x[0]) - 400 * x[0] * (x[1] - x[0] * x[0]),
                    200 * (x[1] - x[0] * x[0])};
  int failures = 0;
  for (int i = 0; i < 2; ++i)
    if (std::fabs(g[i] - want[i]) > 1e-9 * std::fabs(want[i]) + 1e-12) {
      std::printf("FAIL d/dx%d: got %.17g want %.17g\n", i, g[i], want[i]);
      ++failures;
    }
  if (!failures)
    std::printf("gradient: ok\n");
  return failures;
}
