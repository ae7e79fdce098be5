/* Fluxion's markers from <fluxion/ad.h> with the Fluxion builtins: explicit
 * ad_out / ad_const / ad_dup / ad_dupnoneed, defaults (floating scalars out
 * in reverse, dup in forward; integers const), explicit markers on integer
 * arguments, markers mixed with defaults in one call. */
#include "check.h"
#include <fluxion/ad.h>

double __ad_autodiff(void *, ...);
double __ad_fwddiff(void *, ...);

/* f(x, n, y, z) = x^2 y + n sin(z) + y z */
static double f(double x, int n, double y, double z) {
  return x * x * y + n * sin(z) + y * z;
}
static double fx(double x, int n, double y, double z) {
  (void)n;
  (void)z;
  return 2.0 * x * y;
}
static double fy(double x, int n, double y, double z) {
  (void)n;
  (void)y;
  return x * x + z;
}
static double fz(double x, int n, double y, double z) {
  (void)x;
  return n * cos(z) + y;
}
static double f_v(const double *v) { return f(v[0], 3, v[1], v[2]); }

static double g(double x) { return exp(0.5 * x) * x; }
static double dg(double x) { return exp(0.5 * x) * (0.5 * x + 1.0); }

int main(void) {
  int i;
  for (i = 0; i < 3; ++i) {
    double x = 0.5 + 0.6 * i, y = -0.7 + 0.5 * i, z = 1.1 - 0.3 * i;
    double v[3];
    v[0] = x;
    v[1] = y;
    v[2] = z;

    /* reverse: exactly one out argument, the others const */
    CHECK_DERIV(
        __ad_autodiff((void *)f, ad_out, x, 3, ad_const, y, ad_const, z),
        fx(x, 3, y, z), fd_partial(f_v, v, 3, 0));
    CHECK_DERIV(__ad_autodiff((void *)f, ad_const, x, ad_const, 3, ad_out, y,
                              ad_const, z),
                fy(x, 3, y, z), fd_partial(f_v, v, 3, 1));
    /* z takes the default (out) */
    CHECK_DERIV(__ad_autodiff((void *)f, ad_const, x, 3, ad_const, y, z),
                fz(x, 3, y, z), fd_partial(f_v, v, 3, 2));
    CHECK_DERIV(__ad_autodiff((void *)g, x), dg(x), fd1(g, x));
    CHECK_DERIV(__ad_autodiff((void *)g, ad_out, x), dg(x), fd1(g, x));

    /* forward: defaults (value then tangent), explicit dup, const,
     * dupnoneed; the int with and without ad_const */
    CHECK_DERIV(__ad_fwddiff((void *)f, x, 1.0, 3, y, 0.0, z, 0.0),
                fx(x, 3, y, z), fd_partial(f_v, v, 3, 0));
    CHECK_DERIV(__ad_fwddiff((void *)f, ad_dup, x, 0.0, ad_const, 3, ad_dup, y,
                             1.0, ad_dup, z, 0.0),
                fy(x, 3, y, z), fd_partial(f_v, v, 3, 1));
    CHECK_DERIV(__ad_fwddiff((void *)f, ad_const, x, 3, ad_const, y, z, 1.0),
                fz(x, 3, y, z), fd_partial(f_v, v, 3, 2));
    CHECK_DERIV(__ad_fwddiff((void *)f, ad_dupnoneed, x, 1.0, 3, ad_const, y,
                             ad_const, z),
                fx(x, 3, y, z), fd_partial(f_v, v, 3, 0));
    {
      double dir[3] = {0.5, -2.0, 1.5};
      CHECK_DERIV(
          __ad_fwddiff((void *)f, ad_dup, x, 0.5, 3, y, -2.0, ad_dup, z, 1.5),
          0.5 * fx(x, 3, y, z) - 2.0 * fy(x, 3, y, z) + 1.5 * fz(x, 3, y, z),
          fd_dir(f_v, v, dir, 3));
    }
    CHECK_DERIV(__ad_fwddiff((void *)g, x, 1.0), dg(x), fd1(g, x));
    CHECK_DERIV(__ad_fwddiff((void *)g, ad_dup, x, 1.0), dg(x), fd1(g, x));
    CHECK_DERIV(__ad_fwddiff((void *)g, ad_dupnoneed, x, 1.0), dg(x),
                fd1(g, x));
    CHECK_DERIV(__ad_fwddiff((void *)g, ad_const, x), 0.0, NAN);
  }
  return report();
}
