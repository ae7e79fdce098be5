/* Arithmetic: + - * / fneg, int<->float conversions (inactive),
 * float<->double conversions (fpext/fptrunc) and select, in forward and
 * reverse mode, double and float.  Enzyme spellings with `extern` markers
 * for double, Fluxion spellings (float prototypes) for float. */
#include "check.h"

extern int enzyme_const;
extern int enzyme_out;
extern int enzyme_dup;

double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);
float __ad_autodiff(void *, ...);
float __ad_fwddiff(void *, ...);

/* ---- double ---- */
static double poly(double x) { return 3.0 * x * x * x - 2.0 * x + 5.0; }
static double dpoly(double x) { return 9.0 * x * x - 2.0; }

static double quot(double x) { return (x + 1.0) / (x * x + 2.0); }
static double dquot(double x) {
  double d = x * x + 2.0;
  return (d - (x + 1.0) * 2.0 * x) / (d * d);
}

static double neg(double x) { return -(x * x) + -x; }
static double dneg(double x) { return -2.0 * x - 1.0; }

static double mix2(double x, double y) {
  return x * y - x / y + (x - y) * (x + y);
}
static double mix2_v(const double *v) { return mix2(v[0], v[1]); }
static double mix2_dx(double x, double y) { return y - 1.0 / y + 2.0 * x; }
static double mix2_dy(double x, double y) { return x + x / (y * y) - 2.0 * y; }

/* Integer conversions carry no derivative. */
static double conv_int(double x, int n) {
  int k = (int)(x * 2.0);
  unsigned u = (unsigned)x;
  long l = (long)(x * x);
  return x * n + (double)k + (double)u * x + (double)l;
}
static double dconv_int(double x, int n) {
  return (double)n + (double)(unsigned)x;
}
static double conv_int_n3(double x) { return conv_int(x, 3); }

/* narrow and wide integer arguments (promoted through the variadic call,
 * inactive by default) */
static double narrow(double x, char c, short sh, unsigned char u, long long l,
                     _Bool b) {
  return x * (double)(c + sh + u + l + b) + (double)c;
}

/* fptrunc then fpext: the derivative flows through the float. */
static double conv_fp(double x) {
  float y = (float)x;
  return (double)(y * y) * x;
}
static double dconv_fp(double x) {
  double y = (double)(float)x;
  return 2.0 * y * x + y * y;
}

/* select (ternary) */
static double sel(double x, double y) { return x > y ? x * x : y * x; }
static double sel_v(const double *v) { return sel(v[0], v[1]); }
static double sel_dx(double x, double y) { return x > y ? 2.0 * x : y; }
static double sel_dy(double x, double y) { return x > y ? 0.0 : x; }

static double selmax(double x, double y) { return x > y ? x : y; }

/* ---- float ---- */
static float polyf(float x) { return 3.0f * x * x * x - 2.0f * x + 5.0f; }
static double polyf_twin(double x) { return 3.0 * x * x * x - 2.0 * x + 5.0; }

static float quotf(float x) { return (x + 1.0f) / (x * x + 2.0f); }

static float negf(float x) { return -(x * x) + -x; }

static float mixf2(float x, float y) {
  return x * y - x / y + (x - y) * (x + y);
}

static float conv_intf(float x, int n) {
  int k = (int)(x * 2.0f);
  return x * (float)n + (float)k;
}

/* fpext then fptrunc inside a float function. */
static float conv_fpf(float x) {
  double d = x;
  return (float)(d * d * d);
}

/* mixed precision arguments */
static double mixedp(float a, double b) { return (double)a * b + b / a; }

static float self(float x, float y) { return x < y ? x * y : x - y; }

int main(void) {
  static const double xs[] = {0.7, 1.3, -2.1, 3.25};
  int i;
  for (i = 0; i < 4; ++i) {
    double x = xs[i];
    double y = 0.5 + 0.3 * i;
    double v[2];
    v[0] = x;
    v[1] = y;

    CHECK_DERIV(__enzyme_autodiff((void *)poly, x), dpoly(x), fd1(poly, x));
    CHECK_DERIV(__enzyme_fwddiff((void *)poly, x, 1.0), dpoly(x), fd1(poly, x));
    CHECK_DERIV(__enzyme_fwddiff((void *)poly, x, 2.5), 2.5 * dpoly(x),
                2.5 * fd1(poly, x));

    CHECK_DERIV(__enzyme_autodiff((void *)quot, x), dquot(x), fd1(quot, x));
    CHECK_DERIV(__enzyme_fwddiff((void *)quot, x, 1.0), dquot(x), fd1(quot, x));

    CHECK_DERIV(__enzyme_autodiff((void *)neg, x), dneg(x), fd1(neg, x));
    CHECK_DERIV(__enzyme_fwddiff((void *)neg, x, 1.0), dneg(x), fd1(neg, x));

    /* two active arguments: one at a time in reverse, tangents forward */
    CHECK_DERIV(__enzyme_autodiff((void *)mix2, enzyme_out, x, enzyme_const, y),
                mix2_dx(x, y), fd_partial(mix2_v, v, 2, 0));
    CHECK_DERIV(__enzyme_autodiff((void *)mix2, enzyme_const, x, enzyme_out, y),
                mix2_dy(x, y), fd_partial(mix2_v, v, 2, 1));
    CHECK_DERIV(__enzyme_autodiff((void *)mix2, enzyme_const, x, y),
                mix2_dy(x, y), fd_partial(mix2_v, v, 2, 1));
    CHECK_DERIV(__enzyme_fwddiff((void *)mix2, x, 1.0, y, 0.0), mix2_dx(x, y),
                fd_partial(mix2_v, v, 2, 0));
    CHECK_DERIV(__enzyme_fwddiff((void *)mix2, x, 0.0, y, 1.0), mix2_dy(x, y),
                fd_partial(mix2_v, v, 2, 1));
    {
      double dir[2] = {0.25, -1.5};
      CHECK_DERIV(__enzyme_fwddiff((void *)mix2, enzyme_dup, x, 0.25,
                                   enzyme_dup, y, -1.5),
                  0.25 * mix2_dx(x, y) - 1.5 * mix2_dy(x, y),
                  fd_dir(mix2_v, v, dir, 2));
      CHECK_DERIV(__enzyme_fwddiff((void *)mix2, x, 1.0, enzyme_const, y),
                  mix2_dx(x, y), fd_partial(mix2_v, v, 2, 0));
    }

    if (x > 0) { /* (unsigned)x needs x >= 0 */
      CHECK_DERIV(__enzyme_autodiff((void *)conv_int, x, 3), dconv_int(x, 3),
                  fd1(conv_int_n3, x));
      CHECK_DERIV(__enzyme_fwddiff((void *)conv_int, x, 1.0, 3),
                  dconv_int(x, 3), fd1(conv_int_n3, x));
      CHECK_DERIV(
          __enzyme_autodiff((void *)conv_int, enzyme_out, x, enzyme_const, 3),
          dconv_int(x, 3), fd1(conv_int_n3, x));
    }

    {
      char c = -3;
      short sh = -300;
      unsigned char u = 200;
      long long l = 5000000000LL;
      _Bool b = 1;
      double k = -3.0 - 300.0 + 200.0 + 5000000000.0 + 1.0;
      CHECK_DERIV(__enzyme_autodiff((void *)narrow, x, c, sh, u, l, b), k, NAN);
      CHECK_DERIV(__enzyme_fwddiff((void *)narrow, x, 1.0, c, sh, u, l, b), k,
                  NAN);
    }

    /* goes through float precision: float tolerance */
    CHECK_DERIV_F(__enzyme_autodiff((void *)conv_fp, x), dconv_fp(x),
                  3.0 * x * x);
    CHECK_DERIV_F(__enzyme_fwddiff((void *)conv_fp, x, 1.0), dconv_fp(x),
                  3.0 * x * x);

    CHECK_DERIV(__enzyme_autodiff((void *)sel, enzyme_out, x, enzyme_const, y),
                sel_dx(x, y), fd_partial(sel_v, v, 2, 0));
    CHECK_DERIV(__enzyme_autodiff((void *)sel, enzyme_const, x, enzyme_out, y),
                sel_dy(x, y), fd_partial(sel_v, v, 2, 1));
    CHECK_DERIV(__enzyme_fwddiff((void *)sel, x, 1.0, y, 0.0), sel_dx(x, y),
                fd_partial(sel_v, v, 2, 0));
    CHECK_DERIV(__enzyme_fwddiff((void *)sel, x, 0.0, y, 1.0), sel_dy(x, y),
                fd_partial(sel_v, v, 2, 1));
    CHECK_DERIV(
        __enzyme_autodiff((void *)selmax, enzyme_out, x, enzyme_const, y),
        x > y ? 1.0 : 0.0, NAN);
    CHECK_DERIV(
        __enzyme_autodiff((void *)selmax, enzyme_const, x, enzyme_out, y),
        x > y ? 0.0 : 1.0, NAN);
    CHECK_DERIV(__enzyme_fwddiff((void *)selmax, x, 2.0, y, 3.0),
                x > y ? 2.0 : 3.0, NAN);
  }

  /* float */
  for (i = 0; i < 4; ++i) {
    float x = (float)xs[i];
    float y = 0.5f + 0.3f * (float)i;
    double xd = x, yd = y;
    double d = xd * xd + 2.0;

    CHECK_DERIV_F(__ad_autodiff((void *)polyf, x), dpoly(xd),
                  fd1(polyf_twin, xd));
    CHECK_DERIV_F(__ad_fwddiff((void *)polyf, x, 1.0f), dpoly(xd),
                  fd1(polyf_twin, xd));
    CHECK_DERIV_F(__ad_autodiff((void *)quotf, x),
                  (d - (xd + 1.0) * 2.0 * xd) / (d * d), fd1(quot, xd));
    CHECK_DERIV_F(__ad_fwddiff((void *)quotf, x, 1.0f),
                  (d - (xd + 1.0) * 2.0 * xd) / (d * d), fd1(quot, xd));
    CHECK_DERIV_F(__ad_autodiff((void *)negf, x), dneg(xd), fd1(neg, xd));
    CHECK_DERIV_F(__ad_fwddiff((void *)negf, x, 1.0f), dneg(xd), fd1(neg, xd));
    CHECK_DERIV_F(__ad_fwddiff((void *)mixf2, x, 1.0f, y, 0.0f),
                  mix2_dx(xd, yd), NAN);
    CHECK_DERIV_F(__ad_fwddiff((void *)mixf2, x, 0.0f, y, 1.0f),
                  mix2_dy(xd, yd), NAN);
    CHECK_DERIV_F(__ad_autodiff((void *)conv_intf, x, 4), 4.0, NAN);
    CHECK_DERIV_F(__ad_fwddiff((void *)conv_intf, x, 1.0f, 4), 4.0, NAN);
    CHECK_DERIV_F(__ad_autodiff((void *)conv_fpf, x), 3.0 * xd * xd, NAN);
    CHECK_DERIV_F(__ad_fwddiff((void *)conv_fpf, x, 1.0f), 3.0 * xd * xd, NAN);
    CHECK_DERIV_F(__ad_fwddiff((void *)self, x, 1.0f, y, 0.0f),
                  x < y ? yd : 1.0, NAN);
    CHECK_DERIV_F(__ad_fwddiff((void *)self, x, 0.0f, y, 1.0f),
                  x < y ? xd : -1.0, NAN);

    /* mixed float/double arguments, double result */
    CHECK_DERIV(__enzyme_fwddiff((void *)mixedp, x, 1.0f, 1.5, 0.0),
                1.5 - 1.5 / (xd * xd), NAN);
    CHECK_DERIV(__enzyme_fwddiff((void *)mixedp, x, 0.0f, 1.5, 1.0),
                xd + 1.0 / xd, NAN);
    CHECK_DERIV(__enzyme_autodiff((void *)mixedp, enzyme_const, x, 1.5),
                xd + 1.0 / xd, NAN);
  }
  return report();
}
