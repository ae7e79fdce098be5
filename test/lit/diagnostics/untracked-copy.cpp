// Active data copied into memory whose derivative Fluxion does not track (a
// buffer reached through a global pointer) is an error, not a silently zero
// gradient.
// RUN: %not %fluxion-clang++ -O0 -c %s -o /dev/null 2>&1 | %FileCheck %s
// RUN: %not %fluxion-clang++ -O2 -c %s -o /dev/null 2>&1 | %FileCheck %s
#include <cstdlib>
#include <cstring>
extern "C" int enzyme_dup;
extern "C" double __enzyme_autodiff(void *, ...);

double *scratch;

double sum_squares(const double *x, int n) {
  // CHECK: untracked-copy.cpp:[[@LINE+1]]:{{[0-9]+}}: error: fluxion: data with derivatives is copied into memory whose derivative is not tracked
  std::memcpy(scratch, x, n * sizeof(double));
  double s = 0;
  for (long i = 0; i < n; ++i)
    s += scratch[i] * scratch[i];
  return s;
}

void gradient(const double *x, double *dx, int n) {
  __enzyme_autodiff((void *)sum_squares, enzyme_dup, x, dx, n);
}
