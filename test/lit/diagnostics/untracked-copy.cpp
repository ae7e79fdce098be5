// Active data copied into memory whose derivative Fluxion does not track (a
// heap buffer a helper allocated behind a local object) is an error, not a
// silently zero gradient.
// RUN: %not %fluxion-clang++ -O0 -c %s -o /dev/null 2>&1 | %FileCheck %s
// RUN: %not %fluxion-clang++ -O2 -c %s -o /dev/null 2>&1 | %FileCheck %s
#include <cstdlib>
#include <cstring>
extern "C" int enzyme_dup;
extern "C" double __enzyme_autodiff(void *, ...);

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

double sum_squares(const double *x, int n) {
  Buffer b;
  resize(b, n);
  // CHECK: untracked-copy.cpp:[[@LINE+1]]:{{[0-9]+}}: error: fluxion: data with derivatives is copied into memory whose derivative is not tracked
  std::memcpy(b.data, x, b.size * sizeof(double));
  double s = 0;
  for (long i = 0; i < b.size; ++i)
    s += b.data[i] * b.data[i];
  std::free(b.data);
  return s;
}

void gradient(const double *x, double *dx, int n) {
  __enzyme_autodiff((void *)sum_squares, enzyme_dup, x, dx, n);
}
