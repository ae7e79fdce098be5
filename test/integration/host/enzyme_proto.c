/* Builtins declared with exact, non-variadic prototypes: float arguments
 * are not promoted here, and the Fluxion spelling accepts an exact
 * prototype with an integer argument too. */
#include "check.h"

extern float __enzyme_autodiff(void *, float);
extern float __enzyme_fwddiff(void *, float, float);
extern double __ad_autodiff(void *, double, int);
extern double __ad_fwddiff(void *, double, double, int);

static float cubef(float x) { return x * x * x + sinf(x); }
static double pown(double x, int n) {
  double r = 1.0;
  int i;
  for (i = 0; i < n; i++)
    r *= x;
  return r;
}

int main(void) {
  int i, n;
  for (i = 0; i < 4; ++i) {
    float x = -1.0f + 0.8f * i;
    double xd = x;
    CHECK_DERIV_F(__enzyme_autodiff((void *)cubef, x), 3.0 * xd * xd + cos(xd),
                  NAN);
    CHECK_DERIV_F(__enzyme_fwddiff((void *)cubef, x, 1.0f),
                  3.0 * xd * xd + cos(xd), NAN);
    for (n = 0; n < 5; ++n) {
      CHECK_DERIV(__ad_autodiff((void *)pown, xd, n),
                  n == 0 ? 0.0 : n * pow(xd, n - 1), NAN);
      CHECK_DERIV(__ad_fwddiff((void *)pown, xd, 1.0, n),
                  n == 0 ? 0.0 : n * pow(xd, n - 1), NAN);
    }
  }
  return report();
}
