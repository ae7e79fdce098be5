/* Small structs passed by value arrive as their scalars (C's ABI splits
 * `struct {double a, b;}` into two doubles); a builtin call passes the
 * struct, then its tangent, and both modes read them as such: forward,
 * vector forward (width 2), reverse with the adjoints returned as a struct,
 * a struct with an integer member, and a float pair passed as one vector. */
#include "check.h"

typedef struct {
  double a, b;
} pair;
typedef struct {
  double a;
  int k;
} scaled;
typedef struct {
  float a, b;
} floats;
typedef struct {
  double d0, d1;
} two;
typedef struct {
  int a, b;
  double c;
} counted;
typedef struct {
  float dx;
  floats ds;
  float dy;
} float_adjoints;

extern int enzyme_width;
double __enzyme_fwddiff(void *, ...);
two __enzyme_fwddiff_two(void *, ...);
two __enzyme_autodiff(void *, ...);
double __enzyme_autodiff_one(void *, ...);
float_adjoints __enzyme_autodiff_floats(void *, ...);

static double f(pair s) { return s.a * sin(s.b); }
static double g(scaled s) { return s.a * s.k * s.a; }
static double h(double x, floats f, double y) { return x * f.a + f.b * y * x; }
static float k(float x, floats s, float y) { return x * s.a * s.b + y * s.b; }
static double c(counted s) { return s.c * s.c * s.a + s.b; }
static double f_a(double a) { return f((pair){a, 0.5}); }
static double f_b(double b) { return f((pair){2.0, b}); }
static double h_x(double x) { return h(x, (floats){0.5f, 2.0f}, 1.5); }

int main(void) {
  pair s = {2.0, 0.5};
  double da = sin(0.5), db = 2.0 * cos(0.5);
  CHECK_DERIV(__enzyme_fwddiff((void *)f, s, (pair){1, 0}), da, fd1(f_a, 2.0));
  CHECK_DERIV(__enzyme_fwddiff((void *)f, s, (pair){0, 1}), db, fd1(f_b, 0.5));
  two lanes = __enzyme_fwddiff_two((void *)f, enzyme_width, 2, s, (pair){1, 0},
                                   (pair){0, 1});
  CHECK_DERIV(lanes.d0, da, NAN);
  CHECK_DERIV(lanes.d1, db, NAN);
  two adjoints = __enzyme_autodiff((void *)f, s);
  CHECK_DERIV(adjoints.d0, da, fd1(f_a, 2.0));
  CHECK_DERIV(adjoints.d1, db, fd1(f_b, 0.5));

  scaled x = {1.5, 3};
  CHECK_DERIV(__enzyme_fwddiff((void *)g, x, (scaled){1, 0}), 2 * 1.5 * 3, NAN);
  CHECK_DERIV(__enzyme_autodiff_one((void *)g, x), 2 * 1.5 * 3, NAN);

  floats fl = {0.5f, 2.0f};
  CHECK_DERIV(
      __enzyme_fwddiff((void *)h, 3.0, 1.0, fl, (floats){0, 0}, 1.5, 0.0),
      0.5 + 2.0 * 1.5, fd1(h_x, 3.0));
  CHECK_DERIV(
      __enzyme_fwddiff((void *)h, 3.0, 0.0, fl, (floats){1, 0}, 1.5, 0.0), 3.0,
      NAN);

  /* The float pair's adjoint sits 4-byte aligned between two floats. */
  float_adjoints fa =
      __enzyme_autodiff_floats((void *)k, 1.0f, (floats){2, 3}, 0.5f);
  CHECK_DERIV_F(fa.dx, 6.0, NAN);
  CHECK_DERIV_F(fa.ds.a, 3.0, NAN);
  CHECK_DERIV_F(fa.ds.b, 2.0 + 0.5, NAN);
  CHECK_DERIV_F(fa.dy, 3.0, NAN);

  /* Two ints share one integer register, the double has its own. */
  counted n = {2, 3, 1.5};
  CHECK_DERIV(__enzyme_fwddiff((void *)c, n, (counted){0, 0, 1}), 2 * 1.5 * 2,
              NAN);
  CHECK_DERIV(__enzyme_autodiff_one((void *)c, n), 2 * 1.5 * 2, NAN);
  return report();
}
