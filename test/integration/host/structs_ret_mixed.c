/* Reverse mode struct returns with mixed and larger layouts: {float, double}
 * for a function of a float and a double (the float argument's adjoint is a
 * float), and four doubles (returned through memory). */
#include "check.h"

typedef struct {
  float dx;
  double dy;
} gradfd;
typedef struct {
  double da, db, dc, dd;
} grad4;

gradfd __enzyme_autodiff(void *, ...);
grad4 __ad_autodiff(void *, ...);

static double fmix(float x, double y) { return (double)x * y * y + cos(x); }
static double fmix_twin(const double *v) {
  return v[0] * v[1] * v[1] + cos(v[0]);
}

static double f4(double a, double b, double c, double d) {
  return a * b + c * d * d + sin(a * d) - b / c;
}
static double f4_v(const double *v) { return f4(v[0], v[1], v[2], v[3]); }

int main(void) {
  int i;
  for (i = 0; i < 3; ++i) {
    float x = 0.3f + 0.6f * i;
    double y = -0.8 + 0.9 * i;
    double v[4];
    gradfd g;
    grad4 h;
    v[0] = x;
    v[1] = y;
    g = __enzyme_autodiff((void *)fmix, x, y);
    CHECK_DERIV_F(g.dx, y * y - sin(v[0]), fd_partial(fmix_twin, v, 2, 0));
    CHECK_DERIV(g.dy, 2.0 * v[0] * y, fd_partial(fmix_twin, v, 2, 1));

    v[0] = 0.5 + i;
    v[1] = 1.5 - i;
    v[2] = 0.75 + 0.5 * i;
    v[3] = -0.3 * i;
    h = __ad_autodiff((void *)f4, v[0], v[1], v[2], v[3]);
    CHECK_DERIV(h.da, v[1] + v[3] * cos(v[0] * v[3]),
                fd_partial(f4_v, v, 4, 0));
    CHECK_DERIV(h.db, v[0] - 1.0 / v[2], fd_partial(f4_v, v, 4, 1));
    CHECK_DERIV(h.dc, v[3] * v[3] + v[1] / (v[2] * v[2]),
                fd_partial(f4_v, v, 4, 2));
    CHECK_DERIV(h.dd, 2.0 * v[2] * v[3] + v[0] * cos(v[0] * v[3]),
                fd_partial(f4_v, v, 4, 3));
  }
  return report();
}
