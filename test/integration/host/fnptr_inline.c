/* Harder ways for the function to reach the builtin, which resolve only
 * after simplification (mem2reg, always-inlining): a local assigned twice
 * before use, and always_inline helpers that forward a void* or a typed
 * function pointer parameter to the builtin.  At -O0 clang emits all of
 * them through allocas. */
#include "check.h"

double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);

typedef double (*fn1)(double);

static double f(double x) { return x * exp(-x) + 1.0 / (1.0 + x * x); }
static double df(double x) {
  double d = 1.0 + x * x;
  return exp(-x) * (1.0 - x) - 2.0 * x / (d * d);
}
static double other(double x) { return 7.0 * x; }

static inline __attribute__((always_inline)) double rev_of(void *fp, double x) {
  return __enzyme_autodiff(fp, x);
}
static inline __attribute__((always_inline)) double fwd_of(fn1 fp, double x) {
  return __enzyme_fwddiff((void *)fp, x, 1.0);
}

int main(void) {
  int i;
  for (i = 0; i < 4; ++i) {
    double x = -0.9 + 0.7 * i;
    fn1 h = other;
    void *q = (void *)other;
    CHECK_DERIV(__enzyme_autodiff((void *)h, x), 7.0, NAN);
    h = f;
    q = (void *)f;
    CHECK_DERIV(__enzyme_autodiff((void *)h, x), df(x), fd1(f, x));
    CHECK_DERIV(__enzyme_autodiff(q, x), df(x), fd1(f, x));
    CHECK_DERIV(__enzyme_fwddiff(q, x, 1.0), df(x), fd1(f, x));

    CHECK_DERIV(rev_of((void *)f, x), df(x), fd1(f, x));
    CHECK_DERIV(rev_of((void *)other, x), 7.0, NAN);
    CHECK_DERIV(fwd_of(f, x), df(x), fd1(f, x));
    CHECK_DERIV(fwd_of(other, x), 7.0, NAN);
  }
  return report();
}
