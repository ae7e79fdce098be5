/* Third and fourth order by reverse over reverse, through a loop whose trip
 * count is known only at run time and which skips iterations: each inner
 * gradient keeps its tape in memory it grows with realloc, the branch taken
 * per iteration among it, and each outer derivative differentiates that
 * growth. p(x) = sum over odd k <= n of x^k / k!, a truncated sinh, whose
 * derivatives alternate between the odd and even partial sums. */
#include "check.h"

double __enzyme_autodiff(void *, ...);

static int terms = 13;

__attribute__((noinline)) static double factorial(int k) {
  return k == 0 ? 1.0 : k * factorial(k - 1);
}

static double p(double x) {
  double sum = 0;
  for (int k = 0; k <= terms; ++k) {
    if (k % 2 == 0)
      continue;
    sum += pow(x, k) / factorial(k);
  }
  return sum;
}
static double d1(double x) { return __enzyme_autodiff((void *)p, x); }
static double d2(double x) { return __enzyme_autodiff((void *)d1, x); }
static double d3(double x) { return __enzyme_autodiff((void *)d2, x); }
static double d4(double x) { return __enzyme_autodiff((void *)d3, x); }

/* The m-th derivative of p: sum over odd k <= n, k >= m, of
 * x^(k-m) / (k-m)!. */
static double closed(double x, int m) {
  double sum = 0;
  for (int k = m; k <= terms; ++k)
    if (k % 2 == 1)
      sum += pow(x, k - m) / factorial(k - m);
  return sum;
}

int main(void) {
  for (int i = 0; i < 3; ++i) {
    double x = -0.9 + 0.8 * i;
    CHECK_DERIV(d2(x), closed(x, 2), fd1(d1, x));
    CHECK_DERIV(d3(x), closed(x, 3), fd1(d2, x));
    CHECK_DERIV(d4(x), closed(x, 4), fd1(d3, x));
  }
  terms = 9;
  CHECK_DERIV(d4(0.7), closed(0.7, 4), fd1(d3, 0.7));
  return report();
}
