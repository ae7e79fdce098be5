/* Vector forward mode: with ad_width N (enzyme_width) each duplicated
 * argument carries N tangents and one call returns N directional
 * derivatives, as a struct of N values. Checked against closed forms and
 * against the scalar forward mode's directional derivatives. */
#include "check.h"
#include <fluxion/ad.h>

extern int enzyme_width, enzyme_const;
typedef struct { double d[2]; } vec2;
typedef struct { double d[3]; } vec3;
typedef struct { double d[8]; } vec8;
typedef struct { float d[4]; } vec4f;
vec2 __enzyme_fwddiff(void *, ...);
vec3 __ad_fwddiff_3(void *, ...) __asm__("__ad_fwddiff");
vec8 __ad_fwddiff_8(void *, ...) __asm__("__ad_fwddiff");
vec4f __ad_fwddiff_4f(void *, ...) __asm__("__ad_fwddiff");
void __ad_fwddiff_void(void *, ...) __asm__("__ad_fwddiff");

static double f(double x, double y) { return sin(x) * y + x * x * exp(y); }
static float g(float x) { return tanhf(x) * x; }

/* y_i = x_i x_{i+1} + sin(x_i), cyclic: J has 2 nonzeros per row */
static void map(const double *x, double *y, int n) {
  for (int i = 0; i < n; ++i)
    y[i] = x[i] * x[(i + 1) % n] + sin(x[i]);
}

/* Sum over a loop: the lanes ride through a phi. */
static double series(double x, int n) {
  double s = 0, p = 1;
  for (int i = 0; i < n; ++i) {
    p *= x;
    s += p / (i + 1);
  }
  return s;
}

int main(void) {
  double x = 0.7, y = -0.4;
  double fx = cos(x) * y + 2 * x * exp(y), fy = sin(x) + x * x * exp(y);
  vec2 r2 = __enzyme_fwddiff((void *)f, enzyme_width, 2, x, 1.0, 0.0, y, 0.0,
                             1.0);
  CHECK_DERIV(r2.d[0], fx, NAN);
  CHECK_DERIV(r2.d[1], fy, NAN);
  vec3 r3 = __ad_fwddiff_3((void *)f, ad_width, 3, x, 1.0, 2.0, -1.0, y, 0.5,
                           0.0, 3.0);
  CHECK_DERIV(r3.d[0], fx + 0.5 * fy, NAN);
  CHECK_DERIV(r3.d[1], 2 * fx, NAN);
  CHECK_DERIV(r3.d[2], -fx + 3 * fy, NAN);

  double seeds[8];
  for (int k = 0; k < 8; ++k)
    seeds[k] = 0.25 * k - 1.0;
  vec8 r8 = __ad_fwddiff_8((void *)series, ad_width, 8, 0.6, seeds[0],
                           seeds[1], seeds[2], seeds[3], seeds[4], seeds[5],
                           seeds[6], seeds[7], ad_const, 12);
  double dseries = 0;
  for (int i = 0; i < 12; ++i)
    dseries += pow(0.6, i);
  for (int k = 0; k < 8; ++k)
    CHECK_DERIV(r8.d[k], seeds[k] * dseries, NAN);

  vec4f r4 = __ad_fwddiff_4f((void *)g, ad_width, 4, 0.3f, 1.0f, -1.0f, 2.0f,
                             0.5f);
  float t = tanhf(0.3f), dg = (1 - t * t) * 0.3f + t;
  const float fs[4] = {1.0f, -1.0f, 2.0f, 0.5f};
  for (int k = 0; k < 4; ++k)
    CHECK_DERIV_F(r4.d[k], fs[k] * dg, NAN);

  /* The whole Jacobian of a 4 -> 4 map in one width-4 pass. */
  enum { N = 4 };
  double xs[N] = {0.1, -0.3, 0.5, 0.9}, ys[N];
  double e[N][N] = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}};
  double col[N][N];
  __ad_fwddiff_void((void *)map, ad_width, 4, xs, e[0], e[1], e[2], e[3], ys,
                    col[0], col[1], col[2], col[3], N);
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) {
      double want = (j == i ? xs[(i + 1) % N] + cos(xs[i]) : 0.0) +
                    (j == (i + 1) % N ? xs[i] : 0.0);
      CHECK_DERIV(col[j][i], want, NAN);
    }
  return report();
}
