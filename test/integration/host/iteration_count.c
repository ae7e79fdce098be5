/* Enzyme's __enzyme_iter(N, Step): N in the program, and Step more in each
 * derivative taken of the code around it, so that a truncated series keeps
 * its accuracy when differentiated. The counts are observed exactly:
 *   scaled(x)  = iter(8, 2) * x          primal 8 x, derivative 10
 *   halfsq(x)  = iter(8, 2) * x * x / 2  second derivative 12 (forward over
 *                forward, forward over reverse)
 *   taylor_sin = the odd terms of sin's series up to x^iter(5, 2): its
 *                derivative is cos within 1e-5 at x = 0.7 because the
 *                derivative sums one term more (up to x^6, error 1.4e-6;
 *                without it up to x^4, error 1.6e-4). */
#include "check.h"

double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);
unsigned long long __enzyme_iter(unsigned long long, unsigned long long);

static double scaled(double x) { return (double)__enzyme_iter(8, 2) * x; }
static double halfsq(double x) {
  return (double)__enzyme_iter(8, 2) * x * x / 2;
}
static double dhalfsq_fwd(double x) {
  return __enzyme_fwddiff((void *)halfsq, x, 1.0);
}
static double dhalfsq_rev(double x) {
  return __enzyme_autodiff((void *)halfsq, x);
}

static double taylor_sin(double x) {
  unsigned long long n = __enzyme_iter(5, 2);
  double term = x, sum = 0;
  for (unsigned long long k = 1; k <= n; k += 2) {
    sum += term;
    term *= -x * x / (double)((k + 1) * (k + 2));
  }
  return sum;
}

int main(void) {
  double x = 0.7;
  CHECK_TRUE(scaled(x) == 8 * x);
  CHECK_TRUE(__enzyme_autodiff((void *)scaled, x) == 10);
  CHECK_TRUE(__enzyme_fwddiff((void *)scaled, x, 1.0) == 10);
  CHECK_TRUE(__enzyme_fwddiff((void *)dhalfsq_fwd, x, 1.0) == 12);
  CHECK_TRUE(__enzyme_fwddiff((void *)dhalfsq_rev, x, 1.0) == 12);
  CHECK_CLOSE(__enzyme_autodiff((void *)taylor_sin, x), cos(x), 0, 1e-5);
  CHECK_CLOSE(__enzyme_fwddiff((void *)taylor_sin, x, 1.0), cos(x), 0, 1e-5);
  return report();
}
