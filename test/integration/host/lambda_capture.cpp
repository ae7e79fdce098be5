// Differentiating a function that builds and calls lambdas capturing its
// active arguments by reference and by value.  At -O0 the closure lives in
// memory and the call operator is a real call, so the derivative has to
// follow the captured values through the closure object.
#include "check.h"
#include <cmath>

int enzyme_const;
int enzyme_out;

extern "C" double __enzyme_autodiff(void *, ...);
extern "C" double __enzyme_fwddiff(void *, ...);

// by reference:
// g(t) = a t^2 + x, result g(x) + g(a) = a x^2 + x + a^3 + x
static double withcap(double x, double a) {
  auto g = [&](double t) { return a * t * t + x; };
  return g(x) + g(a);
}

// by value: h(t) = sin(t * x) with x copied into the closure;
// result h(a) + x h(x) = sin(a x) + x sin(x^2)
static double withcopy(double x, double a) {
  auto h = [x](double t) { return std::sin(t * x); };
  return h(a) + x * h(x);
}
static double withcopy_dx(double x, double a) {
  return a * std::cos(a * x) + std::sin(x * x) + 2.0 * x * x * std::cos(x * x);
}

static double withcap_v(const double *v) { return withcap(v[0], v[1]); }
static double withcopy_v(const double *v) { return withcopy(v[0], v[1]); }

int main() {
  for (int i = 0; i < 3; ++i) {
    double x = -0.6 + 0.8 * i;
    double a = 0.5 + i;
    double v[2] = {x, a};
    // lambdas with captures inside the differentiated function
    CHECK_DERIV(
        __enzyme_autodiff((void *)withcap, enzyme_out, x, enzyme_const, a),
        2.0 * a * x + 2.0, fd_partial(withcap_v, v, 2, 0));
    CHECK_DERIV(
        __enzyme_autodiff((void *)withcap, enzyme_const, x, enzyme_out, a),
        x * x + 3.0 * a * a, fd_partial(withcap_v, v, 2, 1));
    CHECK_DERIV(__enzyme_fwddiff((void *)withcap, x, 1.0, a, 1.0),
                2.0 * a * x + 2.0 + x * x + 3.0 * a * a, NAN);
    CHECK_DERIV(
        __enzyme_autodiff((void *)withcopy, enzyme_out, x, enzyme_const, a),
        withcopy_dx(x, a), fd_partial(withcopy_v, v, 2, 0));
    CHECK_DERIV(__enzyme_fwddiff((void *)withcopy, x, 1.0, a, 0.0),
                withcopy_dx(x, a), fd_partial(withcopy_v, v, 2, 0));
    CHECK_DERIV(__enzyme_fwddiff((void *)withcopy, x, 0.0, a, 1.0),
                x * std::cos(a * x), fd_partial(withcopy_v, v, 2, 1));
  }
  return report();
}
