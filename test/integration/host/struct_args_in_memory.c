/* Small structs that a variadic builtin call passes in memory (`ptr
 * byval`: the argument registers ran out) while the differentiated
 * function receives them in registers, one eightbyte per register.
 *   prod(x, y, z, s)  = x y z s.a s.b          {double a, b}: two doubles
 *   fsum(u, v, w, t)  = u v w (t.a + t.b t.c)  {float a, b, c}:
 *                       <2 x float> and float
 *   scale(p, q, s)    = s.a * (p[0] + q[0])^2  {double a; int k}, constant,
 *                       after markers that take the integer registers
 * Closed forms (TOL_CLOSED, TOL_FLOAT). */
#include "check.h"

double __enzyme_fwddiff(void *, ...);
float __enzyme_fwddiff_f(void *, ...);
double __enzyme_autodiff(void *, ...);
extern int enzyme_dup, enzyme_const;

typedef struct {
  double a, b;
} pair;
typedef struct {
  float a, b, c;
} triple;
typedef struct {
  double a;
  int k;
} weighted;

static double prod(double x, double y, double z, pair s) {
  return x * y * z * s.a * s.b;
}
static float fsum(float u, float v, float w, triple t) {
  return u * v * w * (t.a + t.b * t.c);
}
static double scale(double *p, double *q, weighted s) {
  double v = p[0] + q[0];
  return s.a * s.k * v * v;
}

int main(void) {
  /* d/d(s.a) at x = y = z = 1, s = {2, 3}: y z s.b x = 3. */
  double t = __enzyme_fwddiff((void *)prod, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0,
                              (pair){2, 3}, (pair){1, 0});
  CHECK_CLOSE(t, 3.0, TOL_CLOSED_R, TOL_CLOSED_A);
  /* d/d(s.b) and d/dx together: x z s.a s.b... at x = 2, y = 0.5, z = 1.5,
   * s = {2, 3}, tangent x' = 1, s.b' = 1: y z s.a s.b + x y z s.a = 4.5 +
   * 3. */
  t = __enzyme_fwddiff((void *)prod, 2.0, 1.0, 0.5, 0.0, 1.5, 0.0, (pair){2, 3},
                       (pair){0, 1});
  CHECK_CLOSE(t, 4.5 + 3.0, TOL_CLOSED_R, TOL_CLOSED_A);
  /* d/d(t.c) = u v w t.b at u = 1, v = 2, w = 0.5, t = {1, 3, 4}: 3. */
  float f = __enzyme_fwddiff_f((void *)fsum, 1.0f, 0.0f, 2.0f, 0.0f, 0.5f, 0.0f,
                               (triple){1, 3, 4}, (triple){0, 0, 1});
  CHECK_CLOSE(f, 3.0, TOL_FLOAT_R, TOL_FLOAT_A);
  /* reverse: d/dp0 = d/dq0 = 2 s.a s.k (p0 + q0) = 2 * 1.5 * 2 * 3 = 18. */
  double p = 1, q = 2, dp = 0, dq = 0;
  __enzyme_autodiff((void *)scale, enzyme_dup, &p, &dp, enzyme_dup, &q, &dq,
                    enzyme_const, (weighted){1.5, 2});
  CHECK_CLOSE(dp, 18.0, TOL_CLOSED_R, TOL_CLOSED_A);
  CHECK_CLOSE(dq, 18.0, TOL_CLOSED_R, TOL_CLOSED_A);
  return report();
}
