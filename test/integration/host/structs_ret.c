/* Reverse mode with several `out` arguments returns their adjoints as a
 * struct, in argument order: two doubles (returned in registers) through
 * __enzyme_autodiff, three doubles (returned through memory, sret) through
 * __ad_autodiff.  Integer and const arguments take no slot. */
#include "check.h"

int enzyme_const;
int enzyme_out;

typedef struct {
  double dx, dy;
} grad2;
typedef struct {
  double dx, dy, dz;
} grad3;

grad2 __enzyme_autodiff(void *, ...);
grad3 __ad_autodiff(void *, ...);

static double f2(double x, double y) { return x * x * y + sin(y); }
static double f2_v(const double *v) { return f2(v[0], v[1]); }

static double f3(double x, double y, double z) {
  return x * y * z + exp(x - z) + y / z;
}
static double f3_v(const double *v) { return f3(v[0], v[1], v[2]); }
static double f3_dx(double x, double y, double z) { return y * z + exp(x - z); }
static double f3_dy(double x, double y, double z) {
  (void)y;
  return x * z + 1.0 / z;
}
static double f3_dz(double x, double y, double z) {
  return x * y - exp(x - z) - y / (z * z);
}

/* an integer in between the active arguments */
static double fint(double x, int n, double y) {
  double s = 0.0;
  int i;
  for (i = 0; i < n; i++)
    s += x * y + sin(x * i);
  return s;
}
static double fint_dx(double x, int n, double y) {
  double s = 0.0;
  int i;
  for (i = 0; i < n; i++)
    s += y + i * cos(x * i);
  return s;
}

/* four arguments, three active (the int is const by default) */
static double f4(double x, double y, int c, double z) {
  return c * (x * x + y * y * y) + z / x;
}

int main(void) {
  int i;
  for (i = 0; i < 3; ++i) {
    double x = 0.4 + 0.7 * i, y = 1.3 - 0.45 * i, z = 0.9 + 0.2 * i;
    double v[3];
    grad2 g;
    grad3 h;
    v[0] = x;
    v[1] = y;
    v[2] = z;

    g = __enzyme_autodiff((void *)f2, x, y);
    CHECK_DERIV(g.dx, 2.0 * x * y, fd_partial(f2_v, v, 2, 0));
    CHECK_DERIV(g.dy, x * x + cos(y), fd_partial(f2_v, v, 2, 1));

    g = __enzyme_autodiff((void *)f2, enzyme_out, x, enzyme_out, y);
    CHECK_DERIV(g.dx, 2.0 * x * y, fd_partial(f2_v, v, 2, 0));
    CHECK_DERIV(g.dy, x * x + cos(y), fd_partial(f2_v, v, 2, 1));

    /* const in the middle: the struct holds dx and dz */
    g = __enzyme_autodiff((void *)f3, enzyme_out, x, enzyme_const, y,
                          enzyme_out, z);
    CHECK_DERIV(g.dx, f3_dx(x, y, z), fd_partial(f3_v, v, 3, 0));
    CHECK_DERIV(g.dy, f3_dz(x, y, z), fd_partial(f3_v, v, 3, 2));

    g = __enzyme_autodiff((void *)fint, x, 4, y);
    CHECK_DERIV(g.dx, fint_dx(x, 4, y), NAN);
    CHECK_DERIV(g.dy, 4.0 * x, NAN);

    g = __enzyme_autodiff((void *)fint, x, 0, y);
    CHECK_TRUE(g.dx == 0.0 && g.dy == 0.0);

    h = __ad_autodiff((void *)f3, x, y, z);
    CHECK_DERIV(h.dx, f3_dx(x, y, z), fd_partial(f3_v, v, 3, 0));
    CHECK_DERIV(h.dy, f3_dy(x, y, z), fd_partial(f3_v, v, 3, 1));
    CHECK_DERIV(h.dz, f3_dz(x, y, z), fd_partial(f3_v, v, 3, 2));

    h = __ad_autodiff((void *)f4, x, y, 3, z);
    CHECK_DERIV(h.dx, 3.0 * 2.0 * x - z / (x * x), NAN);
    CHECK_DERIV(h.dy, 3.0 * 3.0 * y * y, NAN);
    CHECK_DERIV(h.dz, 1.0 / x, NAN);
  }
  return report();
}
