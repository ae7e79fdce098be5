/* Reverse mode returning the adjoints of float `out` arguments as a struct:
 * two floats (one SSE register, <2 x float>) through __enzyme_autodiff,
 * three floats (<2 x float> + float) through __ad_autodiff.  The float
 * arguments travel promoted to double through the variadic call.
 * Float tolerance. */
#include "check.h"

int enzyme_const;
int enzyme_out;

typedef struct {
  float dx, dy;
} gradf2;
typedef struct {
  float dx, dy, dz;
} gradf3;

gradf2 __enzyme_autodiff(void *, ...);
gradf3 __ad_autodiff(void *, ...);

static float f2(float x, float y) { return x * x * y + sinf(y); }
static double f2_twin(const double *v) {
  return v[0] * v[0] * v[1] + sin(v[1]);
}

static float f3(float x, float y, float z) {
  return x * y * z + expf(x - z) + y / z;
}
static double f3_twin(const double *v) {
  return v[0] * v[1] * v[2] + exp(v[0] - v[2]) + v[1] / v[2];
}

int main(void) {
  int i;
  for (i = 0; i < 3; ++i) {
    float x = 0.4f + 0.7f * i, y = 1.3f - 0.45f * i, z = 0.9f + 0.2f * i;
    double v[3];
    gradf2 g;
    gradf3 h;
    v[0] = x;
    v[1] = y;
    v[2] = z;

    g = __enzyme_autodiff((void *)f2, x, y);
    CHECK_DERIV_F(g.dx, 2.0 * v[0] * v[1], fd_partial(f2_twin, v, 2, 0));
    CHECK_DERIV_F(g.dy, v[0] * v[0] + cos(v[1]), fd_partial(f2_twin, v, 2, 1));

    g = __enzyme_autodiff((void *)f2, enzyme_out, x, enzyme_out, y);
    CHECK_DERIV_F(g.dx, 2.0 * v[0] * v[1], fd_partial(f2_twin, v, 2, 0));
    CHECK_DERIV_F(g.dy, v[0] * v[0] + cos(v[1]), fd_partial(f2_twin, v, 2, 1));

    g = __enzyme_autodiff((void *)f3, enzyme_out, x, enzyme_const, y,
                          enzyme_out, z);
    CHECK_DERIV_F(g.dx, v[1] * v[2] + exp(v[0] - v[2]),
                  fd_partial(f3_twin, v, 3, 0));
    CHECK_DERIV_F(g.dy, v[0] * v[1] - exp(v[0] - v[2]) - v[1] / (v[2] * v[2]),
                  fd_partial(f3_twin, v, 3, 2));

    h = __ad_autodiff((void *)f3, x, y, z);
    CHECK_DERIV_F(h.dx, v[1] * v[2] + exp(v[0] - v[2]),
                  fd_partial(f3_twin, v, 3, 0));
    CHECK_DERIV_F(h.dy, v[0] * v[2] + 1.0 / v[2], fd_partial(f3_twin, v, 3, 1));
    CHECK_DERIV_F(h.dz, v[0] * v[1] - exp(v[0] - v[2]) - v[1] / (v[2] * v[2]),
                  fd_partial(f3_twin, v, 3, 2));
  }
  return report();
}
