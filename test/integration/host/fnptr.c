/* How the function reaches the builtin.  At -O0 clang keeps locals in
 * allocas (store/load), so the engine must see through them: a direct
 * function, (void*)&f, a double cast, a void* local, a typed function
 * pointer local.  (fnptr_inline.c has the harder forms.) */
#include "check.h"

double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);

typedef double (*fn1)(double);

static double f(double x) { return x * exp(-x) + 1.0 / (1.0 + x * x); }
static double df(double x) {
  double d = 1.0 + x * x;
  return exp(-x) * (1.0 - x) - 2.0 * x / (d * d);
}

int main(void) {
  int i;
  for (i = 0; i < 4; ++i) {
    double x = -0.9 + 0.7 * i;
    void *p = (void *)f;
    fn1 g = f;

    CHECK_DERIV(__enzyme_autodiff((void *)f, x), df(x), fd1(f, x));
    CHECK_DERIV(__enzyme_autodiff((void *)&f, x), df(x), fd1(f, x));
    CHECK_DERIV(__enzyme_autodiff((void *)(fn1)(void *)f, x), df(x), fd1(f, x));
    CHECK_DERIV(__enzyme_autodiff(p, x), df(x), fd1(f, x));
    CHECK_DERIV(__enzyme_autodiff((void *)g, x), df(x), fd1(f, x));

    CHECK_DERIV(__enzyme_fwddiff((void *)f, x, 1.0), df(x), fd1(f, x));
    CHECK_DERIV(__enzyme_fwddiff((void *)&f, x, 1.0), df(x), fd1(f, x));
    CHECK_DERIV(__enzyme_fwddiff(p, x, 1.0), df(x), fd1(f, x));
    CHECK_DERIV(__enzyme_fwddiff((void *)g, x, 1.0), df(x), fd1(f, x));
  }
  return report();
}
