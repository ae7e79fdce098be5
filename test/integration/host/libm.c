/* libm (double): every supported libm call in forward and reverse mode,
 * checked against its closed-form derivative and a central finite
 * difference of the primal. */
#include "check.h"

int enzyme_const;
int enzyme_out;
int enzyme_dup;

double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);

#define PI_ 3.14159265358979323846

/* One unary function: primal, closed-form derivative, and a test of both
 * modes at one point. */
#define UNARY(name, expr, dexpr)                                               \
  static double f_##name(double x) { return expr; }                            \
  static double d_##name(double x) {                                           \
    (void)x;                                                                   \
    return dexpr;                                                              \
  }                                                                            \
  static void t_##name(double x) {                                             \
    CHECK_DERIV(__enzyme_autodiff((void *)f_##name, x), d_##name(x),           \
                fd1(f_##name, x));                                             \
    CHECK_DERIV(__enzyme_fwddiff((void *)f_##name, x, 1.0), d_##name(x),       \
                fd1(f_##name, x));                                             \
    CHECK_DERIV(__enzyme_fwddiff((void *)f_##name, x, -0.5),                   \
                -0.5 * d_##name(x), -0.5 * fd1(f_##name, x));                  \
  }

UNARY(sin, sin(x), cos(x))
UNARY(cos, cos(x), -sin(x))
UNARY(tan, tan(x), 1.0 + tan(x) * tan(x))
UNARY(asin, asin(x), 1.0 / sqrt(1.0 - x * x))
UNARY(acos, acos(x), -1.0 / sqrt(1.0 - x * x))
UNARY(atan, atan(x), 1.0 / (1.0 + x * x))
UNARY(sinh, sinh(x), cosh(x))
UNARY(cosh, cosh(x), sinh(x))
UNARY(tanh, tanh(x), 1.0 - tanh(x) * tanh(x))
UNARY(exp, exp(x), exp(x))
UNARY(expm1, expm1(x), exp(x))
UNARY(log, log(x), 1.0 / x)
UNARY(log1p, log1p(x), 1.0 / (1.0 + x))
UNARY(sqrt, sqrt(x), 0.5 / sqrt(x))
UNARY(cbrt, cbrt(x), 1.0 / (3.0 * cbrt(x) * cbrt(x)))
UNARY(erf, erf(x), 2.0 / sqrt(PI_) * exp(-x * x))
UNARY(erfc, erfc(x), -2.0 / sqrt(PI_) * exp(-x * x))
UNARY(fabs, fabs(x), x > 0 ? 1.0 : -1.0)
/* pow with a constant exponent; at negative x the (inactive) exponent's
 * partial x^y*log(x) is NaN and must not leak into the result. */
UNARY(pow3, pow(x, 3.0), 3.0 * x * x)
UNARY(powhalf, pow(x, 0.5), 0.5 / sqrt(x))
/* frexp's mantissa x * 2^-e; the exponent it stores carries no derivative */
static double frexp_mantissa(double x) {
  int exponent;
  return frexp(x, &exponent);
}
UNARY(frexp, frexp_mantissa(x), frexp_mantissa(x) / x)
/* constant base */
UNARY(pow2x, pow(2.0, x), pow(2.0, x) * log(2.0))
/* chain of several libm calls */
UNARY(chain, exp(sin(x)) * log(1.0 + x * x) / sqrt(2.0 + cos(x)),
      NAN /* FD only */)

/* One binary function: both partials in both modes at one point. */
#define BINARY(name, expr, dxexpr, dyexpr)                                     \
  static double f_##name(double x, double y) { return expr; }                  \
  static double f_##name##_v(const double *v) { return f_##name(v[0], v[1]); } \
  static double dx_##name(double x, double y) { return dxexpr; }               \
  static double dy_##name(double x, double y) { return dyexpr; }               \
  static void t_##name(double x, double y) {                                   \
    double v[2];                                                               \
    v[0] = x;                                                                  \
    v[1] = y;                                                                  \
    CHECK_DERIV(                                                               \
        __enzyme_autodiff((void *)f_##name, enzyme_out, x, enzyme_const, y),   \
        dx_##name(x, y), fd_partial(f_##name##_v, v, 2, 0));                   \
    CHECK_DERIV(                                                               \
        __enzyme_autodiff((void *)f_##name, enzyme_const, x, enzyme_out, y),   \
        dy_##name(x, y), fd_partial(f_##name##_v, v, 2, 1));                   \
    CHECK_DERIV(__enzyme_fwddiff((void *)f_##name, x, 1.0, y, 0.0),            \
                dx_##name(x, y), fd_partial(f_##name##_v, v, 2, 0));           \
    CHECK_DERIV(__enzyme_fwddiff((void *)f_##name, x, 0.0, y, 1.0),            \
                dy_##name(x, y), fd_partial(f_##name##_v, v, 2, 1));           \
    CHECK_DERIV(__enzyme_fwddiff((void *)f_##name, enzyme_dup, x, 1.0,         \
                                 enzyme_const, y),                             \
                dx_##name(x, y), fd_partial(f_##name##_v, v, 2, 0));           \
  }

/* atan2(x, y) here means atan2 with first argument x */
BINARY(atan2, atan2(x, y), y / (x * x + y * y), -x / (x * x + y * y))
BINARY(pow, pow(x, y), y *pow(x, y - 1.0), pow(x, y) * log(x))
BINARY(hypot, hypot(x, y), x / hypot(x, y), y / hypot(x, y))
BINARY(fmin, fmin(x, y), x < y ? 1.0 : 0.0, x < y ? 0.0 : 1.0)
BINARY(fmax, fmax(x, y), x > y ? 1.0 : 0.0, x > y ? 0.0 : 1.0)

/* Norms that stay at the origin: x - x is 0 for every x, so hypot and
 * atan2 of it are constant and contribute nothing to the derivative of
 * f(x) = hypot(x - x, 0.5 - 0.5) + atan2(x - x, 1 - 1) + 2 x, though their
 * partials x_i / |x| are 0/0 there. */
static double at_origin(double x) {
  double zero = x - x, other = 0.5 - 0.5;
  return hypot(zero, other) + atan2(zero, other) + 2.0 * x;
}

static void t_at_origin(double x) {
  CHECK_DERIV(__enzyme_autodiff((void *)at_origin, x), 2.0,
              fd1(at_origin, x));
  CHECK_DERIV(__enzyme_fwddiff((void *)at_origin, x, 1.0), 2.0,
              fd1(at_origin, x));
}

int main(void) {
  static const double gen[] = {-1.3, 0.4, 2.2};
  static const double unit[] = {-0.6, 0.3, 0.85}; /* |x| < 1 */
  static const double pos[] = {0.5, 2.0, 7.3};    /* x > 0 */
  int i;
  for (i = 0; i < 3; ++i) {
    double g = gen[i], u = unit[i], p = pos[i];
    t_sin(g);
    t_cos(g);
    t_tan(u * 1.5);
    t_asin(u);
    t_acos(u);
    t_atan(g);
    t_sinh(g);
    t_cosh(g);
    t_tanh(g);
    t_exp(g);
    t_expm1(g);
    t_expm1(u * 1e-3); /* small argument, where expm1 matters */
    t_log(p);
    t_log1p(u);
    t_sqrt(p);
    t_cbrt(g);
    t_erf(g);
    t_erfc(g);
    t_fabs(g);
    t_pow3(g);
    t_powhalf(p);
    t_pow2x(g);
    t_chain(g);
    t_frexp(g);
    t_frexp(1.1 * p); /* away from powers of two, where frexp jumps */

    t_atan2(g, p);
    t_atan2(p, -g);
    t_pow(p, g);
    t_hypot(g, p);
    t_at_origin(g);
    t_fmin(g, 0.5 * p);
    t_fmin(p, g);
    t_fmax(g, 0.5 * p);
    t_fmax(p, g);
  }
  return report();
}
