/* SIMD code changes signs with bit operations on integer views of floats:
 * xor with the sign bit (negate, as Eigen's pnegate), and with its
 * complement (absolute value), or with it (minus the absolute value), on
 * some lanes or all. They differentiate as the floating operations they
 * are, in both modes; checked against closed forms and finite differences. */
#include "check.h"
#include <emmintrin.h>
#include <stdint.h>
#include <string.h>

double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);

/* -a * 2 + b * 3 with a's sign flipped by xor on the high lane only */
static double negate_lane(double a, double b) {
  __m128d v = _mm_set_pd(a, b);
  const __m128d mask =
      _mm_castsi128_pd(_mm_set_epi64x((long long)0x8000000000000000ULL, 0));
  __m128d r = _mm_xor_pd(v, mask);
  return _mm_cvtsd_f64(_mm_unpackhi_pd(r, r)) * 2 + _mm_cvtsd_f64(r) * 3;
}

/* |a| * b - |b| through and/or on both lanes of a packet */
static double abs_lanes(double a, double b) {
  __m128d v = _mm_set_pd(a, b);
  const __m128d clear = _mm_castsi128_pd(_mm_set1_epi64x(0x7fffffffffffffffLL));
  const __m128d set =
      _mm_castsi128_pd(_mm_set1_epi64x((long long)0x8000000000000000ULL));
  __m128d absolute = _mm_and_pd(v, clear);
  __m128d negative = _mm_or_pd(v, set);
  return _mm_cvtsd_f64(_mm_unpackhi_pd(absolute, absolute)) * b +
         _mm_cvtsd_f64(negative);
}

/* A scalar double negated through its bits. */
static double negate_scalar(double a, double b) {
  uint64_t bits;
  memcpy(&bits, &a, sizeof bits);
  bits ^= 0x8000000000000000ULL;
  double minus_a;
  memcpy(&minus_a, &bits, sizeof minus_a);
  return minus_a * b;
}

typedef struct {
  double da, db;
} pair;
pair __enzyme_autodiff_pair(void *, ...);

/* Both partials of fn in both modes against want[0] (d/da), want[1]. */
#define CHECK_BOTH(fn, want)                                                   \
  do {                                                                         \
    pair g = __enzyme_autodiff_pair((void *)fn, a, b);                         \
    CHECK_DERIV(g.da, (want)[0], NAN);                                         \
    CHECK_DERIV(g.db, (want)[1], NAN);                                         \
    CHECK_DERIV(__enzyme_fwddiff((void *)fn, a, 1.0, b, 0.0), (want)[0], NAN); \
    CHECK_DERIV(__enzyme_fwddiff((void *)fn, a, 0.0, b, 1.0), (want)[1], NAN); \
  } while (0)

int main(void) {
  const double points[2][2] = {{0.5, -0.25}, {-1.5, 2.0}};
  for (int p = 0; p < 2; ++p) {
    double a = points[p][0], b = points[p][1];
    const double lane[2] = {-2, 3};
    const double absolute[2] = {(a > 0 ? 1 : -1) * b,
                                fabs(a) + (b > 0 ? -1 : 1)};
    const double scalar[2] = {-b, -a};
    CHECK_BOTH(negate_lane, lane);
    CHECK_BOTH(abs_lanes, absolute);
    CHECK_BOTH(negate_scalar, scalar);
  }
  return report();
}
