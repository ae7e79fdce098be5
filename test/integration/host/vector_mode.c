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

/* SIMD packets: each lane's tangent is a packet of its own.
 * y0 = x0^2 + x1 / (1 + x0^2), y1 = x1^2 + x0 / (1 + x1^2) */
typedef double packet __attribute__((vector_size(16)));
static void packet_map(const double *x, double *y) {
  packet v;
  __builtin_memcpy(&v, x, sizeof v);
  packet swapped = __builtin_shufflevector(v, v, 1, 0);
  packet r = v * v + swapped / (1 + v * v);
  __builtin_memcpy(y, &r, sizeof r);
}

/* A struct returned by value from a call kept as a call (recursion is
 * not inlined): its tangents are an array of structs.
 * (x0 + i x1)^2 = x0^2 - x1^2 + 2 i x0 x1; f = re + 2 im */
typedef struct {
  double re, im;
} complex2;
static complex2 complex_power(const double *z, int k) {
  complex2 r = {z[0], z[1]};
  if (k > 1) {
    complex2 p = complex_power(z, k - 1);
    r.re = p.re * z[0] - p.im * z[1];
    r.im = p.re * z[1] + p.im * z[0];
  }
  return r;
}
static double complex_mix(const double *z) {
  complex2 s = complex_power(z, 2);
  return s.re + 2 * s.im;
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

  double xp[2] = {0.6, -1.3}, yp[2], jp[2][2];
  __ad_fwddiff_void((void *)packet_map, ad_width, 2, xp, e[0], e[1], yp, jp[0],
                    jp[1]);
  double q0 = 1 + xp[0] * xp[0], q1 = 1 + xp[1] * xp[1];
  CHECK_DERIV(jp[0][0], 2 * xp[0] - xp[1] * 2 * xp[0] / (q0 * q0), NAN);
  CHECK_DERIV(jp[0][1], 1 / q1, NAN);
  CHECK_DERIV(jp[1][0], 1 / q0, NAN);
  CHECK_DERIV(jp[1][1], 2 * xp[1] - xp[0] * 2 * xp[1] / (q1 * q1), NAN);

  double zc[2] = {0.8, 0.3}, dz[2][2] = {{1, 0}, {0.5, 2}};
  vec2 rc = __enzyme_fwddiff((void *)complex_mix, enzyme_width, 2, zc, dz[0],
                             dz[1]);
  double g0 = 2 * zc[0] + 4 * zc[1], g1 = -2 * zc[1] + 4 * zc[0];
  CHECK_DERIV(rc.d[0], g0, NAN);
  CHECK_DERIV(rc.d[1], 0.5 * g0 + 2 * g1, NAN);
  return report();
}
