// Heap buffers a helper allocates and keeps in a local object (as Eigen's
// dynamic temporaries and Tensor storage are): active data copied or
// written into them gets a shadow buffer, which the helper, differentiated
// with the object duplicated, allocates beside the primal one. Both modes,
// -O0 to -O3, against closed forms.
#include "check.h"
#include <cstdlib>
#include <cstring>

extern "C" {
double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);
extern int enzyme_dup, enzyme_const;
}

struct Buffer {
  double *data;
  long size;
};

// Recursive and not inlined: a call whose allocation the caller cannot see.
__attribute__((noinline)) void resize(Buffer &b, long n) {
  if (n > 1000) {
    resize(b, 1000);
    b.size = n;
    return;
  }
  b.data = static_cast<double *>(std::malloc(n * sizeof(double)));
  b.size = n;
}

// sum_i (x_i^2 + sin x_i) through a copy and a written buffer
static double through_buffers(const double *x, int n) {
  Buffer copy, squares;
  resize(copy, n);
  resize(squares, n);
  std::memcpy(copy.data, x, n * sizeof(double));
  for (long i = 0; i < n; ++i)
    squares.data[i] = copy.data[i] * copy.data[i];
  double s = 0;
  for (long i = 0; i < n; ++i)
    s += squares.data[i] + std::sin(copy.data[i]);
  std::free(copy.data);
  std::free(squares.data);
  return s;
}

int main() {
  const double x[4] = {0.5, -1.25, 2.0, 0.1};
  double dx[4] = {0, 0, 0, 0};
  __enzyme_autodiff((void *)through_buffers, enzyme_dup, x, dx, 4);
  for (int j = 0; j < 4; ++j) {
    double want = 2 * x[j] + std::cos(x[j]);
    CHECK_DERIV(dx[j], want, NAN);
    double e[4] = {0, 0, 0, 0};
    e[j] = 1;
    CHECK_DERIV(
        __enzyme_fwddiff((void *)through_buffers, enzyme_dup, x, e, 4), want,
        NAN);
  }
  return report();
}
