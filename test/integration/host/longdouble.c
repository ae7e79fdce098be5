/* long double (x86_fp80) is a floating scalar too: out by default in
 * reverse mode, dup in forward mode, passed in memory through the
 * variadic call.  Closed forms in long double, compared in double. */
#include "check.h"

int enzyme_const;

long double __enzyme_autodiff(void *, ...);
long double __enzyme_fwddiff(void *, ...);

static long double f(long double x) { return x * x * x - 2.0L * x + 1.0L / x; }
static long double df(long double x) {
  return 3.0L * x * x - 2.0L - 1.0L / (x * x);
}

static long double g(long double x, long double y) {
  return x * y * y + (x > y ? x : y);
}

static long double loop(long double x, int n) {
  int i;
  for (i = 0; i < n; i++)
    x = x * 0.75L + 0.25L / x;
  return x;
}
static long double dloop(long double x, int n) {
  long double d = 1.0L;
  int i;
  for (i = 0; i < n; i++) {
    d = d * (0.75L - 0.25L / (x * x));
    x = x * 0.75L + 0.25L / x;
  }
  return d;
}

int main(void) {
  int i;
  for (i = 0; i < 3; ++i) {
    long double x = 0.6L + 0.8L * i, y = 1.2L - 0.5L * i;
    CHECK_DERIV(__enzyme_autodiff((void *)f, x), df(x), NAN);
    CHECK_DERIV(__enzyme_fwddiff((void *)f, x, 1.0L), df(x), NAN);
    CHECK_DERIV(__enzyme_autodiff((void *)g, x, enzyme_const, y),
                y * y + (x > y ? 1.0L : 0.0L), NAN);
    CHECK_DERIV(__enzyme_autodiff((void *)g, enzyme_const, x, y),
                2.0L * x * y + (x > y ? 0.0L : 1.0L), NAN);
    CHECK_DERIV(__enzyme_fwddiff((void *)g, x, 1.0L, y, 0.0L),
                y * y + (x > y ? 1.0L : 0.0L), NAN);
    CHECK_DERIV(__enzyme_autodiff((void *)loop, x, 7), dloop(x, 7), NAN);
    CHECK_DERIV(__enzyme_fwddiff((void *)loop, x, 1.0L, 7), dloop(x, 7), NAN);
  }
  return report();
}
