/* How the function reaches the builtin.  At -O0 clang keeps locals in
 * allocas (store/load), so the engine must see through them: a direct
 * function, (void*)&f, a double cast, a void* local, a typed function
 * pointer local, a local reassigned before use, and an always_inline
 * helper that forwards its void* parameter. */
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
    void *p = (void *)f;
    fn1 g = f;
    fn1 h = other;
    void *q = (void *)other;

    CHECK_DERIV(__enzyme_autodiff((void *)f, x), df(x), fd1(f, x));
    CHECK_DERIV(__enzyme_autodiff((void *)&f, x), df(x), fd1(f, x));
    CHECK_DERIV(__enzyme_autodiff((void *)(fn1)(void *)f, x), df(x), fd1(f, x));
    CHECK_DERIV(__enzyme_autodiff(p, x), df(x), fd1(f, x));
    CHECK_DERIV(__enzyme_autodiff((void *)g, x), df(x), fd1(f, x));
    h = f;
    q = (void *)f;
    CHECK_DERIV(__enzyme_autodiff((void *)h, x), df(x), fd1(f, x));
    CHECK_DERIV(__enzyme_autodiff(q, x), df(x), fd1(f, x));
    CHECK_DERIV(rev_of((void *)f, x), df(x), fd1(f, x));

    CHECK_DERIV(__enzyme_fwddiff((void *)f, x, 1.0), df(x), fd1(f, x));
    CHECK_DERIV(__enzyme_fwddiff((void *)&f, x, 1.0), df(x), fd1(f, x));
    CHECK_DERIV(__enzyme_fwddiff(p, x, 1.0), df(x), fd1(f, x));
    CHECK_DERIV(__enzyme_fwddiff((void *)g, x, 1.0), df(x), fd1(f, x));
    CHECK_DERIV(fwd_of(f, x), df(x), fd1(f, x));
    CHECK_DERIV(fwd_of(other, x), 7.0, NAN);
  }
  return report();
}
