/* Reverse mode through recursion 100 000 calls deep, where the primal runs
 * in the default 8 MiB stack: at -O0 the derivative's frames are simplified
 * so that they stay close to the primal's. Checked against a central finite
 * difference of the primal. */
#include "check.h"

double __enzyme_autodiff(void *, ...);

static double nest(double x, int depth) {
  if (depth == 0)
    return x;
  return sin(nest(x, depth - 1)) * 0.5 + x * 0.5;
}
static double nest_deep(double x) { return nest(x, 100000); }

int main(void) {
  double x = 0.3;
  double d = __enzyme_autodiff((void *)nest, x, 100000);
  CHECK_DERIV(d, NAN, fd1(nest_deep, x));
  return report();
}
