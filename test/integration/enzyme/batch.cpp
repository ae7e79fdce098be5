// Enzyme's batch mode: __enzyme_batch(f, enzyme_width, N, ...) stands for N
// calls of f. A parameter takes N values, one per call (enzyme_vector, or
// no marker), or one value shared by all (enzyme_scalar); the results come
// back as N values in a struct or array, in registers or in memory.
// Results are compared with the primal called directly (exact).
#include "check.hpp"

#include <cmath>

extern int enzyme_width, enzyme_vector, enzyme_scalar;

struct two {
  double a, b;
};
struct four {
  double r[4];
};
extern "C" two __enzyme_batch_two(...);
extern "C" four __enzyme_batch_four(...);
extern "C" void __enzyme_batch_void(...);

static double poly(double x, double c, int k) {
  return c * std::pow(x, k) + std::sin(x);
}
static void accumulate(double *into, double x) { *into += x * x; }

int main() {
  // Two calls in registers, both arguments per call.
  two t = __enzyme_batch_two((void *)poly, enzyme_width, 2, 1.5, -0.25,
                             enzyme_vector, 2.0, 3.0, 2, 3);
  CHECK_TRUE(t.a == poly(1.5, 2.0, 2) && t.b == poly(-0.25, 3.0, 3));

  // Four calls returned in memory, the coefficient and power shared.
  const double xs[4] = {0.1, 0.2, 0.3, 0.4};
  four f =
      __enzyme_batch_four((void *)poly, enzyme_width, 4, xs[0], xs[1], xs[2],
                          xs[3], enzyme_scalar, 1.25, enzyme_scalar, 2);
  for (int i = 0; i < 4; ++i)
    CHECK_TRUE(f.r[i] == poly(xs[i], 1.25, 2));

  // Calls for their effect, through one shared pointer.
  double sum = 0;
  __enzyme_batch_void((void *)accumulate, enzyme_width, 3, enzyme_scalar, &sum,
                      1.0, 2.0, 3.0);
  CHECK_TRUE(sum == 14.0);
  return report();
}
