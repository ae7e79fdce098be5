/* Enzyme's floating-point truncation builtins: copies of functions whose
 * double operations compute in a narrower format, and the conversion of
 * values to and from the truncated form (passes/Truncation.h).
 *
 * References are closed forms computed independently of the plugin: the
 * same computation written in float (or _Float16), or the number rounded by
 * hand to 8 significant bits. Each operation of a narrower IEEE format is
 * correctly rounded, so those checks are exact (rtol 0, atol 0); libm calls
 * are exact too where the function is correctly rounded (sqrt). Contraction
 * is off so that the float references round each operation as the
 * truncated code does. */
#pragma STDC FP_CONTRACT OFF
#include "check.h"
#include <math.h>
#include <stdio.h>

typedef double (*unary)(double);
typedef double (*binary)(double, double);
typedef double (*reduction)(const double *, int);
typedef void (*update)(double, const double *, double *, int);
typedef float (*unary_float)(float);

unary __enzyme_truncate_op_func(void *, int, int, ...);
binary __enzyme_truncate_op_func_binary(void *, int, int, ...);
reduction __enzyme_truncate_op_func_sum(void *, int, int);
update __enzyme_truncate_mem_func(void *, int, int);
unary_float __enzyme_truncate_op_func_float(void *, int, int);
double __enzyme_truncate_mem_value(double, int, int, ...);
double __enzyme_expand_mem_value(double, int, int, ...);

double sum(const double *x, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += x[i];
  return s;
}

double poly(double x) { return x * x + 1.0; }
/* Calls a function with a body (copied too) and libm. */
double root_poly(double x) { return sqrt(x) * poly(x); }

/* Comparisons compare the rounded values. */
double less(double a, double b) { return a < b ? 1.0 : 0.0; }

void axpy(double a, const double *x, double *y, int n) {
  for (int i = 0; i < n; ++i)
    y[i] = a * x[i] + y[i];
}

double square(double x) { return x * x; }

float cube(float x) { return x * x * x; }

/* The rounding to 8 significant bits of 11-52to3-7, by hand: frexp gives
 * x = m * 2^e with 0.5 <= |m| < 1; m * 2^8 rounded to an integer (ties to
 * even, the default rounding mode) keeps 8 bits. */
static double round8(double x) {
  int e;
  double m = frexp(x, &e);
  return ldexp(nearbyint(ldexp(m, 8)), e - 8);
}

int main(void) {
  volatile double inputs[5] = {0.1, 1.0 / 3.0, 2.7, 1e-3, 12345.678};
  double x[5];
  for (int i = 0; i < 5; ++i)
    x[i] = inputs[i];

  /* 64to32: the sum computed in float, exactly. */
  float fsum = 0;
  for (int i = 0; i < 5; ++i)
    fsum += (float)x[i];
  CHECK_CLOSE(__enzyme_truncate_op_func_sum((void *)sum, 64, 32)(x, 5), fsum,
              0, 0);
  /* The original still computes in double. */
  CHECK_CLOSE(sum(x, 5), x[0] + x[1] + x[2] + x[3] + x[4], 0, 0);

  /* A called function and sqrt, in float. */
  for (int i = 0; i < 5; ++i) {
    float xf = (float)x[i];
    float want = sqrtf(xf) * (xf * xf + 1.0f);
    CHECK_CLOSE(__enzyme_truncate_op_func((void *)root_poly, 64, 32)(x[i]),
                want, 0, 0);
  }

  /* 1 and 1 + 1e-12 are the same float. */
  volatile double one = 1.0, above = 1.0 + 1e-12;
  CHECK_CLOSE(less(one, above), 1.0, 0, 0);
  CHECK_CLOSE(
      __enzyme_truncate_op_func_binary((void *)less, 64, 32)(one, above), 0.0,
      0, 0);

  /* Memory mode: truncated values are doubles holding float numbers. */
  double y[5], want_y[5];
  volatile double a_in = 0.7;
  float af = (float)__enzyme_truncate_mem_value(a_in, 64, 32);
  for (int i = 0; i < 5; ++i) {
    y[i] = __enzyme_truncate_mem_value(1.0 / (i + 3), 64, 32);
    want_y[i] = (float)(af * (float)x[i]) + (float)y[i];
  }
  __enzyme_truncate_mem_func((void *)axpy, 64, 32)(a_in, x, y, 5);
  for (int i = 0; i < 5; ++i)
    CHECK_CLOSE(__enzyme_expand_mem_value(y[i], 64, 32), want_y[i], 0, 0);

  /* Truncating rounds to float; expanding gives the number back. */
  for (int i = 0; i < 5; ++i) {
    double t = __enzyme_truncate_mem_value(x[i], 64, 32);
    CHECK_CLOSE(t, (float)x[i], 0, 0);
    CHECK_CLOSE(__enzyme_expand_mem_value(t, 64, 32), (float)x[i], 0, 0);
  }
  CHECK_CLOSE(
      __enzyme_expand_mem_value(__enzyme_truncate_mem_value(one, 64, 32), 64,
                                32),
      1.0, 0, 0);

  /* 11-52to3-7: 8 significant bits, ties to even, no exponent limit. */
  volatile double em[] = {1.0 / 3.0, 30000.0, 1.0 + 0x1p-8,
                          1.0 + 3 * 0x1p-8, 1e30, -2.7e-20};
  for (int i = 0; i < 6; ++i)
    CHECK_CLOSE(__enzyme_truncate_mem_value(em[i], 64, 3, 7), round8(em[i]),
                0, 0);
  CHECK_CLOSE(__enzyme_truncate_mem_value(em[0], 64, 3, 7), 171.0 / 512, 0,
              0);
  CHECK_CLOSE(__enzyme_truncate_mem_value(em[1], 64, 3, 7), 29952.0, 0, 0);
  /* Halfway cases go to the even neighbour. */
  CHECK_CLOSE(__enzyme_truncate_mem_value(em[2], 64, 3, 7), 1.0, 0, 0);
  CHECK_CLOSE(__enzyme_truncate_mem_value(em[3], 64, 3, 7), 1.0 + 0x1p-6, 0,
              0);
  /* (30000 rounded)^2 = 29952^2 = 13689 * 2^16, rounded to 8 bits: 214 *
   * 2^22, as Enzyme's truncate-all test prints. A 3-bit exponent could not
   * hold it: the exponent range is double's. */
  CHECK_CLOSE(__enzyme_truncate_op_func((void *)square, 64, 3, 7)(em[1]),
              897581056.0, 0, 0);
  for (int i = 0; i < 6; ++i) {
    double r = round8(em[i]);
    CHECK_CLOSE(__enzyme_truncate_op_func((void *)square, 64, 3, 7)(em[i]),
                round8(r * r), 0, 0);
  }

  /* 64to16 computes in half, with half's exponent range. */
  volatile double third = 1.0 / 3.0, big = 300.0;
  CHECK_CLOSE(__enzyme_truncate_mem_value(third, 64, 16),
              (double)(_Float16)third, 0, 0);
  CHECK_TRUE(isinf(__enzyme_truncate_op_func((void *)square, 64, 16)(big)));

  /* 32to16: a float function computing in half. */
  volatile float xf = 1.1f;
  _Float16 h = (_Float16)xf;
  _Float16 h2 = h * h;
  _Float16 h3 = h2 * h;
  CHECK_CLOSE(__enzyme_truncate_op_func_float((void *)cube, 32, 16)(xf),
              (float)h3, 0, 0);
  return report();
}
