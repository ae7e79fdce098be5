// Calls that write only library state do not overwrite what the program
// reads: lgamma sets signgam, exp errno. The loop's loads of w are read again
// by the reverse sweep, not taped, although lgamma runs after them.
// RUN: %fluxion-clang -O2 -g -Rpass=fluxion -c %s -o /dev/null 2>&1 \
// RUN:   | %FileCheck %s --implicit-check-not="result of 'load'"
#include <math.h>
double __enzyme_autodiff(void *, ...);
extern int enzyme_dup, enzyme_const;

double weighted(const double *w, double x, int n) {
  double s = 0;
  // CHECK: library-state-writes.c:[[@LINE+1]]:{{[0-9]+}}: remark: loop tapes 8 bytes per iteration
  for (int i = 0; i < n; ++i)
    s += exp(w[i] * x);
  return s + lgamma(n + 0.5);
}

double gradient(const double *w, double *dw, double x, int n) {
  return __enzyme_autodiff((void *)weighted, enzyme_dup, w, dw, x,
                           enzyme_const, n);
}
