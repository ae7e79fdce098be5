/* Calls to other defined functions: several levels, the same callee called
 * twice (and with different activity), noinline callees that survive -O2,
 * a float callee from a double function, direct and mutual recursion, tree
 * recursion.  Forward and reverse. */
#include "check.h"

int enzyme_const;
int enzyme_out;

double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);
float __ad_autodiff(void *, ...);
float __ad_fwddiff(void *, ...);

#define NOINLINE __attribute__((noinline))

NOINLINE static double sq(double x) { return x * x; }

/* sq called twice, once on each argument */
NOINLINE double cube_plus(double x, double y) { return sq(x) * x + y * sq(y); }

static double level3(double x) { return sin(x) * sq(x); }

NOINLINE static double level2(double x, double a) {
  return level3(x * a) + cube_plus(x, a);
}

/* level2 twice, with different active arguments */
static double level1(double x) { return level2(x, 1.5) * level2(1.0 / x, x); }

static double dlevel3(double x) { return cos(x) * x * x + 2.0 * x * sin(x); }
/* partials of level2 */
static double dlevel2_x(double x, double a) {
  return dlevel3(x * a) * a + 3.0 * x * x;
}
static double dlevel2_a(double x, double a) {
  return dlevel3(x * a) * x + 3.0 * a * a;
}
static double dlevel1(double x) {
  double u = level2(x, 1.5), du = dlevel2_x(x, 1.5);
  double w = 1.0 / x;
  double v = level2(w, x);
  double dv = dlevel2_x(w, x) * (-1.0 / (x * x)) + dlevel2_a(w, x);
  return du * v + u * dv;
}

/* a callee whose result is inactive: only depends on an int */
NOINLINE static double weight(int k) { return 1.0 / (1.0 + k); }
static double useweight(double x, int k) {
  return weight(k) * sq(x) + weight(k + 1);
}

/* float callee from double code */
NOINLINE static float sqf(float x) { return x * x * 0.5f; }
static double viaf(double x) { return (double)sqf((float)x) * x; }

/* recursion: binary powering, d/dx = n x^(n-1) */
static double rpow(double x, int n) {
  double h;
  if (n == 0)
    return 1.0;
  if (n % 2 == 0) {
    h = rpow(x, n / 2);
    return h * h;
  }
  return x * rpow(x, n - 1);
}

/* recursive Horner form of the exponential series:
 * hs(x, 1, n) = sum_{j=0}^{n} x^j / j!, derivative hs(x, 1, n - 1) */
static double hs(double x, int k, int n) {
  if (k > n)
    return 1.0;
  return 1.0 + x / k * hs(x, k + 1, n);
}

/* mutual recursion */
static double mb(double x, int n);
static double ma(double x, int n) { return n <= 0 ? x : sin(mb(x, n - 1)); }
static double mb(double x, int n) {
  return n <= 0 ? x : ma(x, n - 1) * 1.1 + x;
}
static double dmb(double x, int n);
static double dma(double x, int n) {
  return n <= 0 ? 1.0 : cos(mb(x, n - 1)) * dmb(x, n - 1);
}
static double dmb(double x, int n) {
  return n <= 0 ? 1.0 : dma(x, n - 1) * 1.1 + 1.0;
}

/* tree recursion (each level calls itself twice) */
static double tree(double x, int n) {
  if (n < 2)
    return x;
  return tree(x * 0.9, n - 1) + sin(tree(x, n - 2));
}
static double dtree(double x, int n) {
  if (n < 2)
    return 1.0;
  return 0.9 * dtree(x * 0.9, n - 1) + cos(tree(x, n - 2)) * dtree(x, n - 2);
}
static int g_n;
static double tree_x(double x) { return tree(x, g_n); }
static double hs_x(double x) { return hs(x, 1, g_n); }

/* float recursion */
static float rpowf(float x, int n) {
  return n == 0 ? 1.0f : x * rpowf(x, n - 1);
}

int main(void) {
  int i, n;
  static const double xs[] = {0.6, 1.3, 2.4};
  /* the primals still work after differentiation */
  CHECK_CLOSE(sq(3.0), 9.0, 0.0, 0.0);
  CHECK_CLOSE(rpow(2.0, 10), 1024.0, 0.0, 0.0);

  for (i = 0; i < 3; ++i) {
    double x = xs[i];
    double a = 0.7;
    CHECK_DERIV(__enzyme_autodiff((void *)sq, x), 2.0 * x, fd1(sq, x));
    CHECK_DERIV(__enzyme_fwddiff((void *)sq, x, 1.0), 2.0 * x, fd1(sq, x));

    CHECK_DERIV(
        __enzyme_autodiff((void *)cube_plus, enzyme_out, x, enzyme_const, a),
        3.0 * x * x, NAN);
    CHECK_DERIV(
        __enzyme_autodiff((void *)cube_plus, enzyme_const, x, enzyme_out, a),
        3.0 * a * a, NAN);
    CHECK_DERIV(__enzyme_fwddiff((void *)cube_plus, x, 1.0, a, 1.0),
                3.0 * x * x + 3.0 * a * a, NAN);

    CHECK_DERIV(__enzyme_autodiff((void *)level3, x), dlevel3(x),
                fd1(level3, x));
    CHECK_DERIV(__enzyme_fwddiff((void *)level3, x, 1.0), dlevel3(x),
                fd1(level3, x));
    CHECK_DERIV(
        __enzyme_autodiff((void *)level2, enzyme_out, x, enzyme_const, a),
        dlevel2_x(x, a), NAN);
    CHECK_DERIV(
        __enzyme_autodiff((void *)level2, enzyme_const, x, enzyme_out, a),
        dlevel2_a(x, a), NAN);
    CHECK_DERIV(__enzyme_fwddiff((void *)level2, x, 1.0, a, 0.0),
                dlevel2_x(x, a), NAN);
    CHECK_DERIV(__enzyme_fwddiff((void *)level2, x, 0.0, a, 1.0),
                dlevel2_a(x, a), NAN);
    CHECK_DERIV(__enzyme_autodiff((void *)level1, x), dlevel1(x),
                fd1(level1, x));
    CHECK_DERIV(__enzyme_fwddiff((void *)level1, x, 1.0), dlevel1(x),
                fd1(level1, x));

    CHECK_DERIV(__enzyme_autodiff((void *)useweight, x, 3), 2.0 * x / 4.0, NAN);
    CHECK_DERIV(__enzyme_fwddiff((void *)useweight, x, 1.0, 3), 2.0 * x / 4.0,
                NAN);

    {
      double xf = (double)(float)x;
      CHECK_DERIV_F(__enzyme_autodiff((void *)viaf, x), xf * x + 0.5 * xf * xf,
                    1.5 * x * x);
      CHECK_DERIV_F(__enzyme_fwddiff((void *)viaf, x, 1.0),
                    xf * x + 0.5 * xf * xf, 1.5 * x * x);
    }

    for (n = 0; n < 12; n += 1) {
      CHECK_DERIV(__enzyme_autodiff((void *)rpow, x, n),
                  n == 0 ? 0.0 : n * pow(x, n - 1), NAN);
      CHECK_DERIV(__enzyme_fwddiff((void *)rpow, x, 1.0, n),
                  n == 0 ? 0.0 : n * pow(x, n - 1), NAN);
    }
    for (n = 0; n < 15; n += 4) {
      g_n = n;
      CHECK_DERIV(__enzyme_autodiff((void *)hs, x, 1, n),
                  n == 0 ? 0.0 : hs(x, 1, n - 1), fd1(hs_x, x));
      CHECK_DERIV(__enzyme_fwddiff((void *)hs, x, 1.0, 1, n),
                  n == 0 ? 0.0 : hs(x, 1, n - 1), fd1(hs_x, x));
    }
    for (n = 0; n < 7; ++n) {
      CHECK_DERIV(__enzyme_autodiff((void *)ma, x, n), dma(x, n), NAN);
      CHECK_DERIV(__enzyme_fwddiff((void *)ma, x, 1.0, n), dma(x, n), NAN);
      CHECK_DERIV(__enzyme_autodiff((void *)mb, x, n), dmb(x, n), NAN);
    }
    for (n = 0; n < 9; n += 2) {
      g_n = n;
      CHECK_DERIV(__enzyme_autodiff((void *)tree, x, n), dtree(x, n),
                  fd1(tree_x, x));
      CHECK_DERIV(__enzyme_fwddiff((void *)tree, x, 1.0, n), dtree(x, n),
                  fd1(tree_x, x));
    }
    for (n = 0; n < 6; ++n) {
      float xf = (float)x;
      CHECK_DERIV_F(__ad_autodiff((void *)rpowf, xf, n),
                    n == 0 ? 0.0 : n * pow((double)xf, n - 1), NAN);
      CHECK_DERIV_F(__ad_fwddiff((void *)rpowf, xf, 1.0f, n),
                    n == 0 ? 0.0 : n * pow((double)xf, n - 1), NAN);
    }
  }
  return report();
}
