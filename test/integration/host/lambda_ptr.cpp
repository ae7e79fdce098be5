// Captureless C++ lambdas converted to function pointers and
// differentiated: `+[]` into a local, `+[]` straight into the builtin call, a
// generic lambda converted by initialization, a static_cast.  The pointer
// comes from the lambda's conversion operator, a call that clang keeps at
// -O0, so the engine must resolve it after simplification to the lambda's
// static invoker (which calls its call operator).
#include "check.h"
#include <cmath>

int enzyme_const;

extern "C" double __enzyme_autodiff(void *, ...);
extern "C" double __enzyme_fwddiff(void *, ...);

int main() {
  for (int i = 0; i < 3; ++i) {
    double x = -0.6 + 0.8 * i;
    double (*fp)(double) = +[](double u) { return std::exp(u) * u; };
    CHECK_DERIV(__enzyme_autodiff((void *)fp, x), std::exp(x) * (x + 1.0),
                fd1(fp, x));
    CHECK_DERIV(__enzyme_fwddiff((void *)fp, x, 1.0), std::exp(x) * (x + 1.0),
                fd1(fp, x));
    CHECK_DERIV(
        __enzyme_autodiff((void *)+[](double u) { return u * u * u; }, x),
        3.0 * x * x, NAN);
    double (*gp)(double) = [](auto u) { return u * u * u * u; };
    CHECK_DERIV(__enzyme_autodiff((void *)gp, x), 4.0 * x * x * x, fd1(gp, x));
    CHECK_DERIV(__enzyme_fwddiff((void *)gp, x, 1.0), 4.0 * x * x * x,
                fd1(gp, x));
    auto lp = static_cast<double (*)(double, double)>(
        [](double u, double v) { return u * std::tanh(v); });
    CHECK_DERIV(__enzyme_autodiff((void *)lp, enzyme_const, x, 0.3),
                x * (1.0 - std::tanh(0.3) * std::tanh(0.3)), NAN);
    CHECK_DERIV(__enzyme_fwddiff((void *)lp, x, 1.0, 0.3, 0.0), std::tanh(0.3),
                NAN);
  }
  return report();
}
