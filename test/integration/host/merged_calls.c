/* Builtin calls on different functions in the two arms of an if/else stay
 * two calls: at -O1 and above SimplifyCFG would otherwise sink them into one
 * call of a phi of the two functions, which no compiler can differentiate.
 * Both modes, against closed forms. */
#include "check.h"
#include <math.h>

double __ad_autodiff(void *, ...);
double __ad_fwddiff(void *, ...);

/* External, as in the program the merge was found in. */
double f(double x) { return sin(x) * x; }
double g(double x) { return exp(x) * x; }

__attribute__((noinline)) static double pick_reverse(int which, double x) {
  double r;
  if (which)
    r = __ad_autodiff((void *)f, x);
  else
    r = __ad_autodiff((void *)g, x);
  return r;
}

__attribute__((noinline)) static double pick_forward(int which, double x) {
  double r;
  if (which)
    r = __ad_fwddiff((void *)f, x, 1.0);
  else
    r = __ad_fwddiff((void *)g, x, 1.0);
  return r;
}

int main(int argc, char **argv) {
  (void)argv;
  double x = 0.7;
  double df = sin(x) + x * cos(x), dg = exp(x) * (1 + x);
  /* argc keeps the branch unknown at compile time. */
  CHECK_CLOSE(pick_reverse(argc > 0, x), df, TOL_CLOSED_R, TOL_CLOSED_A);
  CHECK_CLOSE(pick_reverse(argc < 0, x), dg, TOL_CLOSED_R, TOL_CLOSED_A);
  CHECK_CLOSE(pick_forward(argc > 0, x), df, TOL_CLOSED_R, TOL_CLOSED_A);
  CHECK_CLOSE(pick_forward(argc < 0, x), dg, TOL_CLOSED_R, TOL_CLOSED_A);
  return report();
}
