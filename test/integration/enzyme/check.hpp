// Checks for the programs written against Enzyme's C++ interface. Every
// derivative is compared with a closed form written in the test and, where
// one applies, a central finite difference of the primal; never with a
// value the code under test printed.
//
// Tolerances (|got - want| <= rtol * max(|got|, |want|) + atol):
//   CHECK_DERIV(got, closed, fd)    double vs closed form: rtol 1e-10,
//                                   atol 1e-12; vs central difference
//                                   (h = 1e-6 max(1, |x|)): rtol 1e-6,
//                                   atol 1e-8; NAN skips a reference
//   CHECK_FLOAT(got, closed)        float vs closed form: rtol 1e-5,
//                                   atol 1e-6
//   CHECK_TRUE(cond)                exact (types, primal values, pointers)
// End main() with `return report();`.
#ifndef FLUXION_TEST_ENZYME_CHECK_HPP
#define FLUXION_TEST_ENZYME_CHECK_HPP

#include <algorithm>
#include <cmath>
#include <cstdio>

static int Failures = 0, Checks = 0;

inline void checkClose(const char *File, int Line, const char *What,
                       const char *Against, double Got, double Want,
                       double Rtol, double Atol) {
  ++Checks;
  double Scale = std::max(std::fabs(Got), std::fabs(Want));
  if (std::fabs(Got - Want) <= Rtol * Scale + Atol) // false for NaN too
    return;
  ++Failures;
  std::printf("FAIL %s:%d: %s (vs %s)\n     got  %.17g\n     want %.17g\n",
              File, Line, What, Against, Got, Want);
}

inline void checkDeriv(const char *File, int Line, const char *What, double Got,
                       double Closed, double Fd) {
  if (!std::isnan(Closed))
    checkClose(File, Line, What, "closed form", Got, Closed, 1e-10, 1e-12);
  if (!std::isnan(Fd))
    checkClose(File, Line, What, "finite difference", Got, Fd, 1e-6, 1e-8);
}

#define CHECK_DERIV(got, closed, fd)                                           \
  checkDeriv(__FILE__, __LINE__, #got, (got), (closed), (fd))
#define CHECK_FLOAT(got, closed)                                               \
  checkClose(__FILE__, __LINE__, #got, "closed form", (got), (closed), 1e-5,   \
             1e-6)
#define CHECK_TRUE(cond)                                                       \
  do {                                                                         \
    ++Checks;                                                                  \
    if (!(cond)) {                                                             \
      ++Failures;                                                              \
      std::printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);              \
    }                                                                          \
  } while (0)

// Central difference of a scalar function of one double at X.
template <class F> double central(F Fn, double X) {
  double H = 1e-6 * std::max(1.0, std::fabs(X));
  volatile double Plus = X + H, Minus = X - H; // the step actually taken
  return (Fn(Plus) - Fn(Minus)) / (Plus - Minus);
}

inline int report() {
  if (Failures) {
    std::printf("%d of %d checks FAILED\n", Failures, Checks);
    return 1;
  }
  std::printf("all %d checks passed\n", Checks);
  return Checks ? 0 : 1;
}

#endif
