// A callee that only reads an object gets no shadow for it: a local struct
// holding a pointer to constant data (as Eigen's BLAS data mappers hold a
// Map<const Matrix>) passed next to active arguments. Before, the struct
// got a shadow whose data pointer was null, and the callee's derivative
// read through it. Both modes, -O0 to -O3, against closed forms.
#include "check.h"

extern "C" {
double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);
extern int enzyme_dup, enzyme_const;
}

struct Mapper {
  const double *data;
  long stride;
};

// Recursive (with a fresh mapper for the second half), so that it stays a
// call that is differentiated on its own.
__attribute__((noinline)) void gemv(long m, long n, const Mapper &lhs,
                                    const Mapper &rhs, double *res) {
  if (n > 2) {
    gemv(m, 2, lhs, rhs, res);
    Mapper L{lhs.data + 2 * lhs.stride, lhs.stride};
    Mapper R{rhs.data + 2 * rhs.stride, rhs.stride};
    return gemv(m, n - 2, L, R, res);
  }
  for (long j = 0; j < n; ++j)
    for (long i = 0; i < m; ++i)
      res[i] += lhs.data[i + j * lhs.stride] * rhs.data[j * rhs.stride];
}

// ||A x||^2 for a 3x4 column-major A.
static double norm2(const double *A, const double *x) {
  double res[3] = {0, 0, 0};
  Mapper L{A, 3}, R{x, 1};
  gemv(3, 4, L, R, res);
  return res[0] * res[0] + res[1] * res[1] + res[2] * res[2];
}

int main() {
  const double A[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  const double x[4] = {0.5, -1, 0.25, 2};
  double Ax[3] = {0, 0, 0};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j)
      Ax[i] += A[i + 3 * j] * x[j];
  // d/dx ||A x||^2 = 2 A^T A x
  double dx[4] = {0, 0, 0, 0};
  __enzyme_autodiff((void *)norm2, enzyme_const, A, enzyme_dup, x, dx);
  for (int j = 0; j < 4; ++j) {
    double want = 0;
    for (int i = 0; i < 3; ++i)
      want += 2 * A[i + 3 * j] * Ax[i];
    CHECK_DERIV(dx[j], want, NAN);
    double e[4] = {0, 0, 0, 0};
    e[j] = 1;
    CHECK_DERIV(__enzyme_fwddiff((void *)norm2, enzyme_const, A, enzyme_dup, x,
                                 e),
                want, NAN);
  }
  return report();
}
