/* LLVM intrinsics reached through clang builtins: sqrt, fma, fabs,
 * copysign, fmin/fmax (minnum/maxnum), floor/ceil/trunc/round/rint (zero
 * derivative), powi, exp2, log2, log10, and sin/cos/exp/log/pow.  Double
 * through the Enzyme spellings, float through the Fluxion spellings.
 * CMake compiles this file with and without -fno-math-errno: with it clang
 * emits llvm.sqrt/llvm.exp2/llvm.log2/... instead of libm calls. */
#include "check.h"

extern int enzyme_const;
extern int enzyme_out;

double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);
float __ad_autodiff(void *, ...);
float __ad_fwddiff(void *, ...);

#define LN2_ 0.69314718055994530942
#define LN10_ 2.30258509299404568402

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
  }

UNARY(sqrt, __builtin_sqrt(x), 0.5 / __builtin_sqrt(x))
UNARY(fabs, __builtin_fabs(x) * x, 2.0 * __builtin_fabs(x))
UNARY(floor, x *__builtin_floor(x), __builtin_floor(x))
UNARY(ceil, x *__builtin_ceil(x), __builtin_ceil(x))
UNARY(trunc, x *__builtin_trunc(x), __builtin_trunc(x))
UNARY(round, x *__builtin_round(x), __builtin_round(x))
UNARY(rint, x *__builtin_rint(x), __builtin_rint(x))
UNARY(floor_only, __builtin_floor(x) + __builtin_ceil(3.0 * x), 0.0)
UNARY(exp2, __builtin_exp2(x), __builtin_exp2(x) * LN2_)
UNARY(log2, __builtin_log2(x), 1.0 / (x * LN2_))
UNARY(log10, __builtin_log10(x), 1.0 / (x * LN10_))
UNARY(sin, __builtin_sin(x), __builtin_cos(x))
UNARY(cos, __builtin_cos(x), -__builtin_sin(x))
UNARY(exp, __builtin_exp(x), __builtin_exp(x))
UNARY(log, __builtin_log(x), 1.0 / x)
UNARY(powi3, __builtin_powi(x, 3), 3.0 * x * x)
UNARY(powim2, __builtin_powi(x, -2), -2.0 / (x * x * x))
UNARY(fma_xx, __builtin_fma(x, x, 3.0 * x), 2.0 * x + 3.0)
UNARY(copysign_self, __builtin_copysign(x *x, -x), x > 0 ? -2.0 * x : 2.0 * x)

/* powi with a run-time integer exponent (an inactive argument) */
static double powi_n(double x, int n) { return __builtin_powi(x, n); }

static double fma3(double x, double y, double z) {
  return __builtin_fma(x, y, z);
}
static double fma3_v(const double *v) { return fma3(v[0], v[1], v[2]); }

static double csign(double x, double y) { return __builtin_copysign(x, y); }
static double fmin2(double x, double y) { return __builtin_fmin(x, y); }
static double fmax2(double x, double y) { return __builtin_fmax(x, y); }
static double pow2(double x, double y) { return __builtin_pow(x, y); }

/* float */
static float sqrtf_(float x) { return __builtin_sqrtf(x); }
static float fabsf_(float x) { return __builtin_fabsf(x) * x; }
static float floorf_(float x) { return x * __builtin_floorf(x); }
static float roundf_(float x) { return x * __builtin_roundf(x); }
static float ceilf_(float x) { return x * __builtin_ceilf(x); }
static float truncf_(float x) { return x * __builtin_truncf(x); }
static float exp2f_(float x) { return __builtin_exp2f(x); }
static float log2f_(float x) { return __builtin_log2f(x); }
static float log10f_(float x) { return __builtin_log10f(x); }
static float powif_(float x) { return __builtin_powif(x, 3); }
static float fmaf_(float x) { return __builtin_fmaf(x, x, 3.0f * x); }
static float fmaf3(float x, float y, float z) {
  return __builtin_fmaf(x, y, z);
}
static float minmaxf(float x, float y) {
  return __builtin_fminf(x, y) * 2.0f + __builtin_fmaxf(x, y);
}
static float csignf(float x, float y) { return __builtin_copysignf(x, y); }
/* one-argument forms for reverse mode (float adjoint returned as float) */
static float minmaxf1(float x) { return minmaxf(x, 0.5f); }
static float csignf1(float x) { return csignf(x * x, -x); }

int main(void) {
  static const double gen[] = {-1.3, 0.45, 2.2};
  static const double pos[] = {0.5, 2.0, 7.3};
  int i;
  for (i = 0; i < 3; ++i) {
    double g = gen[i], p = pos[i];
    t_sqrt(p);
    t_fabs(g);
    t_floor(g);
    t_ceil(g);
    t_trunc(g);
    t_round(g);
    t_rint(g);
    t_floor_only(g);
    t_exp2(g);
    t_log2(p);
    t_log10(p);
    t_sin(g);
    t_cos(g);
    t_exp(g);
    t_log(p);
    t_powi3(g);
    t_powim2(g);
    t_fma_xx(g);
    t_copysign_self(g);

    CHECK_DERIV(__enzyme_autodiff((void *)powi_n, g, 5), 5.0 * pow(g, 4.0),
                NAN);
    CHECK_DERIV(__enzyme_fwddiff((void *)powi_n, g, 1.0, 5), 5.0 * pow(g, 4.0),
                NAN);
    CHECK_DERIV(__enzyme_autodiff((void *)powi_n, g, enzyme_const, -3),
                -3.0 * pow(g, -4.0), NAN);

    {
      double v[3];
      v[0] = g;
      v[1] = p;
      v[2] = -0.75;
      CHECK_DERIV(__enzyme_autodiff((void *)fma3, enzyme_out, g, enzyme_const,
                                    p, enzyme_const, -0.75),
                  p, fd_partial(fma3_v, v, 3, 0));
      CHECK_DERIV(__enzyme_autodiff((void *)fma3, enzyme_const, g, enzyme_out,
                                    p, enzyme_const, -0.75),
                  g, fd_partial(fma3_v, v, 3, 1));
      CHECK_DERIV(__enzyme_autodiff((void *)fma3, enzyme_const, g, enzyme_const,
                                    p, -0.75),
                  1.0, fd_partial(fma3_v, v, 3, 2));
      CHECK_DERIV(__enzyme_fwddiff((void *)fma3, g, 1.0, p, 2.0, -0.75, 3.0),
                  p + 2.0 * g + 3.0, NAN);
    }

    /* copysign(x, y): d/dx = sign(x) * sign(y), d/dy = 0 */
    CHECK_DERIV(
        __enzyme_autodiff((void *)csign, enzyme_out, g, enzyme_const, -p),
        (g > 0 ? 1.0 : -1.0) * -1.0, NAN);
    CHECK_DERIV(
        __enzyme_autodiff((void *)csign, enzyme_const, g, enzyme_out, -p), 0.0,
        NAN);
    CHECK_DERIV(__enzyme_fwddiff((void *)csign, g, 1.0, p, 1.0),
                g > 0 ? 1.0 : -1.0, NAN);

    CHECK_DERIV(
        __enzyme_autodiff((void *)fmin2, enzyme_out, g, enzyme_const, 0.5),
        g < 0.5 ? 1.0 : 0.0, NAN);
    CHECK_DERIV(
        __enzyme_autodiff((void *)fmin2, enzyme_const, g, enzyme_out, 0.5),
        g < 0.5 ? 0.0 : 1.0, NAN);
    CHECK_DERIV(__enzyme_fwddiff((void *)fmin2, g, 2.0, 0.5, 3.0),
                g < 0.5 ? 2.0 : 3.0, NAN);
    CHECK_DERIV(
        __enzyme_autodiff((void *)fmax2, enzyme_out, g, enzyme_const, 0.5),
        g > 0.5 ? 1.0 : 0.0, NAN);
    CHECK_DERIV(
        __enzyme_autodiff((void *)fmax2, enzyme_const, g, enzyme_out, 0.5),
        g > 0.5 ? 0.0 : 1.0, NAN);
    CHECK_DERIV(__enzyme_fwddiff((void *)fmax2, g, 2.0, 0.5, 3.0),
                g > 0.5 ? 2.0 : 3.0, NAN);

    CHECK_DERIV(__enzyme_autodiff((void *)pow2, enzyme_out, p, enzyme_const, g),
                g * pow(p, g - 1.0), NAN);
    CHECK_DERIV(__enzyme_autodiff((void *)pow2, enzyme_const, p, enzyme_out, g),
                pow(p, g) * log(p), NAN);
    CHECK_DERIV(__enzyme_fwddiff((void *)pow2, p, 1.0, g, 1.0),
                g * pow(p, g - 1.0) + pow(p, g) * log(p), NAN);
  }

  /* float: closed forms in double at the float point, float tolerance */
  for (i = 0; i < 3; ++i) {
    float g = (float)gen[i], p = (float)pos[i];
    double gd = g, pd = p;
    CHECK_DERIV_F(__ad_autodiff((void *)sqrtf_, p), 0.5 / sqrt(pd), NAN);
    CHECK_DERIV_F(__ad_fwddiff((void *)sqrtf_, p, 1.0f), 0.5 / sqrt(pd), NAN);
    CHECK_DERIV_F(__ad_autodiff((void *)fabsf_, g), 2.0 * fabs(gd), NAN);
    CHECK_DERIV_F(__ad_fwddiff((void *)fabsf_, g, 1.0f), 2.0 * fabs(gd), NAN);
    CHECK_DERIV_F(__ad_autodiff((void *)floorf_, g), floor(gd), NAN);
    CHECK_DERIV_F(__ad_fwddiff((void *)floorf_, g, 1.0f), floor(gd), NAN);
    CHECK_DERIV_F(__ad_autodiff((void *)roundf_, g), round(gd), NAN);
    CHECK_DERIV_F(__ad_fwddiff((void *)roundf_, g, 1.0f), round(gd), NAN);
    CHECK_DERIV_F(__ad_autodiff((void *)exp2f_, g), exp2(gd) * LN2_, NAN);
    CHECK_DERIV_F(__ad_fwddiff((void *)exp2f_, g, 1.0f), exp2(gd) * LN2_, NAN);
    CHECK_DERIV_F(__ad_autodiff((void *)log2f_, p), 1.0 / (pd * LN2_), NAN);
    CHECK_DERIV_F(__ad_fwddiff((void *)log2f_, p, 1.0f), 1.0 / (pd * LN2_),
                  NAN);
    CHECK_DERIV_F(__ad_autodiff((void *)log10f_, p), 1.0 / (pd * LN10_), NAN);
    CHECK_DERIV_F(__ad_fwddiff((void *)log10f_, p, 1.0f), 1.0 / (pd * LN10_),
                  NAN);
    CHECK_DERIV_F(__ad_autodiff((void *)powif_, g), 3.0 * gd * gd, NAN);
    CHECK_DERIV_F(__ad_fwddiff((void *)powif_, g, 1.0f), 3.0 * gd * gd, NAN);
    CHECK_DERIV_F(__ad_autodiff((void *)fmaf_, g), 2.0 * gd + 3.0, NAN);
    CHECK_DERIV_F(__ad_fwddiff((void *)fmaf_, g, 1.0f), 2.0 * gd + 3.0, NAN);
    CHECK_DERIV_F(__ad_fwddiff((void *)fmaf3, g, 1.0f, p, 2.0f, 0.5f, 3.0f),
                  pd + 2.0 * gd + 3.0, NAN);
    /* minmaxf(x, y) = 2 min + max; x = g, y = 0.5 */
    CHECK_DERIV_F(__ad_fwddiff((void *)minmaxf, g, 1.0f, 0.5f, 0.0f),
                  g < 0.5f ? 2.0 : 1.0, NAN);
    CHECK_DERIV_F(__ad_fwddiff((void *)minmaxf, g, 0.0f, 0.5f, 1.0f),
                  g < 0.5f ? 1.0 : 2.0, NAN);
    CHECK_DERIV_F(__ad_autodiff((void *)ceilf_, g), ceil(gd), NAN);
    CHECK_DERIV_F(__ad_fwddiff((void *)ceilf_, g, 1.0f), ceil(gd), NAN);
    CHECK_DERIV_F(__ad_autodiff((void *)truncf_, g), trunc(gd), NAN);
    CHECK_DERIV_F(__ad_fwddiff((void *)truncf_, g, 1.0f), trunc(gd), NAN);
    CHECK_DERIV_F(__ad_autodiff((void *)minmaxf1, g), g < 0.5f ? 2.0 : 1.0,
                  NAN);
    CHECK_DERIV_F(__ad_fwddiff((void *)minmaxf1, g, 1.0f), g < 0.5f ? 2.0 : 1.0,
                  NAN);
    /* copysign(x^2, -x) = -sign(x) x^2 */
    CHECK_DERIV_F(__ad_autodiff((void *)csignf1, g),
                  g > 0 ? -2.0 * gd : 2.0 * gd, NAN);
    CHECK_DERIV_F(__ad_fwddiff((void *)csignf1, g, 1.0f),
                  g > 0 ? -2.0 * gd : 2.0 * gd, NAN);
    CHECK_DERIV_F(__ad_fwddiff((void *)csignf, g, 1.0f, -p, 1.0f),
                  g > 0 ? -1.0 : 1.0, NAN);
  }
  return report();
}
