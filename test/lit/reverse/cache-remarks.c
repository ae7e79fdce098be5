// -Rpass=fluxion reports, at the source line, what the reverse sweep caches
// and whether once or per loop iteration.
// RUN: %fluxion-clang -O2 -Rpass=fluxion -c %s -o /dev/null 2>&1 | %FileCheck %s
#include <math.h>
double __enzyme_autodiff(void *, ...);

double iterate(double x, int n) {
  for (int i = 0; i < n; ++i)
    // CHECK: cache-remarks.c:[[@LINE+1]]:{{[0-9]+}}: remark: cached once per loop iteration
    x = sin(x) * x;
  return x;
}

double gradient(double x, int n) {
  return __enzyme_autodiff((void *)iterate, x, n);
}
