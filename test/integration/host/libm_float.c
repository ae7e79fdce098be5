/* libm (float): sinf, cosf, ... in forward and reverse mode with the
 * builtins declared returning float.  Float arguments are promoted to
 * double through the variadic call; the engine converts them back.
 * References: the closed form evaluated in double at the same (float)
 * point, and a central finite difference of the double libm twin.
 * Float tolerance (rtol 1e-4). */
#include "check.h"

int enzyme_const;
int enzyme_out;
int enzyme_dup;

float __enzyme_autodiff(void *, ...);
float __enzyme_fwddiff(void *, ...);

#define PI_ 3.14159265358979323846

#define UNARY(name, fexpr, dexpr, dexpr_d)                                     \
  static float f_##name(float x) { return fexpr; }                             \
  static double twin_##name(double x) { return dexpr; }                        \
  static double d_##name(double x) {                                           \
    (void)x;                                                                   \
    return dexpr_d;                                                            \
  }                                                                            \
  static void t_##name(float x) {                                              \
    double xd = x;                                                             \
    CHECK_DERIV_F(__enzyme_autodiff((void *)f_##name, x), d_##name(xd),        \
                  fd1(twin_##name, xd));                                       \
    CHECK_DERIV_F(__enzyme_fwddiff((void *)f_##name, x, 1.0f), d_##name(xd),   \
                  fd1(twin_##name, xd));                                       \
    CHECK_DERIV_F(__enzyme_fwddiff((void *)f_##name, x, -0.5f),                \
                  -0.5 * d_##name(xd), -0.5 * fd1(twin_##name, xd));           \
  }

UNARY(sinf, sinf(x), sin(x), cos(x))
UNARY(cosf, cosf(x), cos(x), -sin(x))
UNARY(tanf, tanf(x), tan(x), 1.0 + tan(x) * tan(x))
UNARY(asinf, asinf(x), asin(x), 1.0 / sqrt(1.0 - x * x))
UNARY(acosf, acosf(x), acos(x), -1.0 / sqrt(1.0 - x * x))
UNARY(atanf, atanf(x), atan(x), 1.0 / (1.0 + x * x))
UNARY(sinhf, sinhf(x), sinh(x), cosh(x))
UNARY(coshf, coshf(x), cosh(x), sinh(x))
UNARY(tanhf, tanhf(x), tanh(x), 1.0 - tanh(x) * tanh(x))
UNARY(expf, expf(x), exp(x), exp(x))
UNARY(expm1f, expm1f(x), expm1(x), exp(x))
UNARY(logf, logf(x), log(x), 1.0 / x)
UNARY(log1pf, log1pf(x), log1p(x), 1.0 / (1.0 + x))
UNARY(sqrtf, sqrtf(x), sqrt(x), 0.5 / sqrt(x))
UNARY(cbrtf, cbrtf(x), cbrt(x), 1.0 / (3.0 * cbrt(x) * cbrt(x)))
UNARY(erff, erff(x), erf(x), 2.0 / sqrt(PI_) * exp(-x * x))
UNARY(erfcf, erfcf(x), erfc(x), -2.0 / sqrt(PI_) * exp(-x * x))
UNARY(fabsf, fabsf(x), fabs(x), x > 0 ? 1.0 : -1.0)
UNARY(pow3f, powf(x, 3.0f), pow(x, 3.0), 3.0 * x * x)
UNARY(chainf, expf(sinf(x)) * logf(1.0f + x * x) / sqrtf(2.0f + cosf(x)),
      exp(sin(x)) * log(1.0 + x * x) / sqrt(2.0 + cos(x)), NAN /* FD only */)

#define BINARY(name, fexpr, dexpr, dxexpr, dyexpr)                             \
  static float f_##name(float x, float y) { return fexpr; }                    \
  static double twin_##name(const double *v) {                                 \
    double x = v[0], y = v[1];                                                 \
    return dexpr;                                                              \
  }                                                                            \
  static double dx_##name(double x, double y) { return dxexpr; }               \
  static double dy_##name(double x, double y) { return dyexpr; }               \
  static void t_##name(float x, float y) {                                     \
    double v[2];                                                               \
    v[0] = x;                                                                  \
    v[1] = y;                                                                  \
    CHECK_DERIV_F(                                                             \
        __enzyme_autodiff((void *)f_##name, enzyme_out, x, enzyme_const, y),   \
        dx_##name(v[0], v[1]), fd_partial(twin_##name, v, 2, 0));              \
    CHECK_DERIV_F(                                                             \
        __enzyme_autodiff((void *)f_##name, enzyme_const, x, enzyme_out, y),   \
        dy_##name(v[0], v[1]), fd_partial(twin_##name, v, 2, 1));              \
    CHECK_DERIV_F(__enzyme_fwddiff((void *)f_##name, x, 1.0f, y, 0.0f),        \
                  dx_##name(v[0], v[1]), fd_partial(twin_##name, v, 2, 0));    \
    CHECK_DERIV_F(__enzyme_fwddiff((void *)f_##name, x, 0.0f, y, 1.0f),        \
                  dy_##name(v[0], v[1]), fd_partial(twin_##name, v, 2, 1));    \
  }

BINARY(atan2f, atan2f(x, y), atan2(x, y), y / (x * x + y * y),
       -x / (x * x + y * y))
BINARY(powf, powf(x, y), pow(x, y), y *pow(x, y - 1.0), pow(x, y) * log(x))
BINARY(hypotf, hypotf(x, y), hypot(x, y), x / hypot(x, y), y / hypot(x, y))
BINARY(fminf, fminf(x, y), fmin(x, y), x < y ? 1.0 : 0.0, x < y ? 0.0 : 1.0)
BINARY(fmaxf, fmaxf(x, y), fmax(x, y), x > y ? 1.0 : 0.0, x > y ? 0.0 : 1.0)

int main(void) {
  static const float gen[] = {-1.3f, 0.4f, 2.2f};
  static const float unit[] = {-0.6f, 0.3f, 0.85f};
  static const float pos[] = {0.5f, 2.0f, 7.3f};
  int i;
  for (i = 0; i < 3; ++i) {
    float g = gen[i], u = unit[i], p = pos[i];
    t_sinf(g);
    t_cosf(g);
    t_tanf(u * 1.5f);
    t_asinf(u);
    t_acosf(u);
    t_atanf(g);
    t_sinhf(g);
    t_coshf(g);
    t_tanhf(g);
    t_expf(g);
    t_expm1f(g);
    t_logf(p);
    t_log1pf(u);
    t_sqrtf(p);
    t_cbrtf(g);
    t_erff(g);
    t_erfcf(g);
    t_fabsf(g);
    t_pow3f(g);
    t_chainf(g);

    t_atan2f(g, p);
    t_powf(p, g);
    t_hypotf(g, p);
    t_fminf(g, 0.5f * p);
    t_fminf(p, g);
    t_fmaxf(g, 0.5f * p);
    t_fmaxf(p, g);
  }
  return report();
}
