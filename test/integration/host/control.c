/* Control flow without loops: if/else chains and phis, ternaries (select),
 * early returns, switch, short-circuit conditions, clamps; forward and
 * reverse, double and float. */
#include "check.h"

int enzyme_const;
int enzyme_out;

double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);
float __ad_autodiff(void *, ...);
float __ad_fwddiff(void *, ...);

static double piecewise(double x) {
  double y;
  if (x < 0)
    y = x * x;
  else if (x < 1)
    y = sin(x);
  else
    y = exp(x) - 1.0;
  return y * x;
}
static double dpiecewise(double x) {
  if (x < 0)
    return 3.0 * x * x;
  if (x < 1)
    return cos(x) * x + sin(x);
  return exp(x) * x + exp(x) - 1.0;
}

/* early returns, the branch taken depending on an inactive int */
static double early(double x, int mode) {
  double t;
  if (mode == 0)
    return x * x;
  t = 3.0 * x;
  if (t > 2.0)
    return t * t * t;
  return -t;
}
static double dearly(double x, int mode) {
  if (mode == 0)
    return 2.0 * x;
  if (3.0 * x > 2.0)
    return 81.0 * x * x;
  return -3.0;
}
static double early0(double x) { return early(x, 0); }
static double early1(double x) { return early(x, 1); }

/* phi of two active values from different branches */
static double phi2(double x, double y) {
  double r;
  if (x > y)
    r = x * y;
  else
    r = x + y;
  return r * r;
}
static double phi2_v(const double *v) { return phi2(v[0], v[1]); }
static double phi2_dx(double x, double y) {
  return x > y ? 2.0 * x * y * y : 2.0 * (x + y);
}
static double phi2_dy(double x, double y) {
  return x > y ? 2.0 * x * x * y : 2.0 * (x + y);
}

static double sw(double x, int k) {
  switch (k) {
  case 0:
    return x;
  case 1:
    return x * x;
  case 2:
    return sin(x);
  case 7:
    return x * x * x;
  default:
    return 0.5 * x;
  }
}
static double dsw(double x, int k) {
  switch (k) {
  case 0:
    return 1.0;
  case 1:
    return 2.0 * x;
  case 2:
    return cos(x);
  case 7:
    return 3.0 * x * x;
  default:
    return 0.5;
  }
}

static double clamp(double x, double lo, double hi) {
  return x < lo ? lo : x > hi ? hi : x;
}

/* Huber loss: branches on a value derived from the active input */
static double huber(double x) {
  double a = x;
  if (a < 0)
    a = -a;
  if (a < 1.0)
    return 0.5 * a * a;
  return a - 0.5;
}
static double dhuber(double x) {
  if (fabs(x) < 1.0)
    return x;
  return x > 0 ? 1.0 : -1.0;
}

/* short-circuit conditions on active values */
static double shortc(double x, double y) {
  if (x > 0 && y > 0)
    return x * y;
  if (x < -1 || y < -1)
    return x - y;
  return x * x + y;
}
static double shortc_v(const double *v) { return shortc(v[0], v[1]); }
static double shortc_dx(double x, double y) {
  if (x > 0 && y > 0)
    return y;
  if (x < -1 || y < -1)
    return 1.0;
  return 2.0 * x;
}

/* results that do not depend on the active argument */
static double steps(double x) { return x > 0 ? 3.0 : -1.0; }
static double unused_y(double x, double y) {
  (void)y;
  return x * x;
}

/* float */
static float piecewisef(float x) {
  float y;
  if (x < 0)
    y = x * x;
  else if (x < 1)
    y = sinf(x);
  else
    y = expf(x) - 1.0f;
  return y * x;
}
static float huberf(float x) {
  float a = x;
  if (a < 0)
    a = -a;
  if (a < 1.0f)
    return 0.5f * a * a;
  return a - 0.5f;
}
static float swf(float x, int k) {
  switch (k) {
  case 0:
    return x;
  case 1:
    return x * x;
  default:
    return 0.5f * x;
  }
}

int main(void) {
  static const double xs[] = {-1.7, -0.4, 0.3, 0.8, 1.6, 2.5};
  int i, k;
  for (i = 0; i < 6; ++i) {
    double x = xs[i];
    CHECK_DERIV(__enzyme_autodiff((void *)piecewise, x), dpiecewise(x),
                fd1(piecewise, x));
    CHECK_DERIV(__enzyme_fwddiff((void *)piecewise, x, 1.0), dpiecewise(x),
                fd1(piecewise, x));

    CHECK_DERIV(__enzyme_autodiff((void *)early, x, 0), dearly(x, 0),
                fd1(early0, x));
    CHECK_DERIV(__enzyme_autodiff((void *)early, x, 1), dearly(x, 1),
                fd1(early1, x));
    CHECK_DERIV(__enzyme_fwddiff((void *)early, x, 1.0, 0), dearly(x, 0),
                fd1(early0, x));
    CHECK_DERIV(__enzyme_fwddiff((void *)early, x, 1.0, 1), dearly(x, 1),
                fd1(early1, x));

    for (k = 0; k < 9; ++k) {
      CHECK_DERIV(__enzyme_autodiff((void *)sw, x, k), dsw(x, k), NAN);
      CHECK_DERIV(__enzyme_fwddiff((void *)sw, x, 1.0, k), dsw(x, k), NAN);
    }

    CHECK_DERIV(__enzyme_autodiff((void *)huber, x), dhuber(x), fd1(huber, x));
    CHECK_DERIV(__enzyme_fwddiff((void *)huber, x, 1.0), dhuber(x),
                fd1(huber, x));

    /* clamp to [-1, 1]: derivative 1 inside, 0 outside; the bounds get it
     * outside */
    CHECK_DERIV(__enzyme_autodiff((void *)clamp, enzyme_out, x, enzyme_const,
                                  -1.0, enzyme_const, 1.0),
                fabs(x) < 1.0 ? 1.0 : 0.0, NAN);
    CHECK_DERIV(__enzyme_autodiff((void *)clamp, enzyme_const, x, enzyme_const,
                                  -1.0, enzyme_out, 1.0),
                x > 1.0 ? 1.0 : 0.0, NAN);
    CHECK_DERIV(__enzyme_fwddiff((void *)clamp, x, 1.0, -1.0, 10.0, 1.0, 100.0),
                x < -1.0  ? 10.0
                : x > 1.0 ? 100.0
                          : 1.0,
                NAN);

    {
      double y = 0.9 - 0.35 * i;
      double v[2];
      v[0] = x;
      v[1] = y;
      CHECK_DERIV(
          __enzyme_autodiff((void *)phi2, enzyme_out, x, enzyme_const, y),
          phi2_dx(x, y), fd_partial(phi2_v, v, 2, 0));
      CHECK_DERIV(
          __enzyme_autodiff((void *)phi2, enzyme_const, x, enzyme_out, y),
          phi2_dy(x, y), fd_partial(phi2_v, v, 2, 1));
      CHECK_DERIV(__enzyme_fwddiff((void *)phi2, x, 1.0, y, 0.0), phi2_dx(x, y),
                  fd_partial(phi2_v, v, 2, 0));
      CHECK_DERIV(__enzyme_fwddiff((void *)phi2, x, 0.0, y, 1.0), phi2_dy(x, y),
                  fd_partial(phi2_v, v, 2, 1));

      CHECK_DERIV(
          __enzyme_autodiff((void *)shortc, enzyme_out, x, enzyme_const, y),
          shortc_dx(x, y), fd_partial(shortc_v, v, 2, 0));
      CHECK_DERIV(__enzyme_fwddiff((void *)shortc, x, 1.0, y, 0.0),
                  shortc_dx(x, y), fd_partial(shortc_v, v, 2, 0));
      CHECK_DERIV(__enzyme_fwddiff((void *)shortc, x, 0.0, y, 1.0), NAN,
                  fd_partial(shortc_v, v, 2, 1));
    }
  }

  for (i = 0; i < 6; ++i) {
    double x = xs[i];
    CHECK_TRUE(__enzyme_autodiff((void *)steps, x) == 0.0);
    CHECK_TRUE(__enzyme_fwddiff((void *)steps, x, 1.0) == 0.0);
    CHECK_TRUE(__enzyme_autodiff((void *)unused_y, enzyme_const, x, 2.0) ==
               0.0);
    CHECK_DERIV(__enzyme_autodiff((void *)unused_y, x, enzyme_const, 2.0),
                2.0 * x, NAN);
    CHECK_TRUE(__enzyme_fwddiff((void *)unused_y, x, 0.0, 2.0, 1.0) == 0.0);
  }

  for (i = 0; i < 6; ++i) {
    float x = (float)xs[i];
    double xd = x;
    CHECK_DERIV_F(__ad_autodiff((void *)piecewisef, x), dpiecewise(xd),
                  fd1(piecewise, xd));
    CHECK_DERIV_F(__ad_fwddiff((void *)piecewisef, x, 1.0f), dpiecewise(xd),
                  fd1(piecewise, xd));
    CHECK_DERIV_F(__ad_autodiff((void *)huberf, x), dhuber(xd), fd1(huber, xd));
    CHECK_DERIV_F(__ad_fwddiff((void *)huberf, x, 1.0f), dhuber(xd),
                  fd1(huber, xd));
    for (k = 0; k < 3; ++k) {
      CHECK_DERIV_F(__ad_autodiff((void *)swf, x, k), dsw(xd, k == 2 ? 5 : k),
                    NAN);
      CHECK_DERIV_F(__ad_fwddiff((void *)swf, x, 1.0f, k),
                    dsw(xd, k == 2 ? 5 : k), NAN);
    }
  }
  return report();
}
