// What loops tape per iteration in reverse mode, stated by -Rpass=fluxion
// at the loop. Rosenbrock tapes nothing: x is read again, the counters are
// counted down from their last values (known at entry, also when the
// loop's exit is the skip of its guard) and the join after the loop knows
// its way back from the guard's condition. In the layer, the weights are
// read again although tanh writes errno, and the inner sum is kept once
// per outer iteration, the value its loop leaves. The scalar recurrence
// tapes one double per iteration.
// RUN: %fluxion-clang -O2 -g -Rpass=fluxion -c %s -o /dev/null 2>&1 \
// RUN:   | %FileCheck %s --implicit-check-not=remark
#include <math.h>
double __enzyme_autodiff(void *, ...);
extern int enzyme_dup, enzyme_const;

double rosenbrock(const double *x, int n) {
  double s = 0;
  for (int i = 0; i + 1 < n; ++i) {
    double a = x[i + 1] - x[i] * x[i], c = 1 - x[i];
    s += 100 * a * a + c * c;
  }
  return s;
}

double layer(const double *w, const double *x, int m, int n) {
  double loss = 0;
  // CHECK-DAG: tape-free-loops.c:[[@LINE+1]]:{{[0-9]+}}: remark: loop tapes 16 bytes per iteration
  for (int i = 0; i < m; ++i) {
    double s = 0;
    for (int j = 0; j < n; ++j)
      s += w[i * n + j] * x[j];
    // CHECK-DAG: tape-free-loops.c:[[@LINE+2]]:{{[0-9]+}}: remark: cached once per loop iteration: the result of 'call'
    // CHECK-DAG: tape-free-loops.c:[[@LINE+1]]:{{[0-9]+}}: remark: cached once per loop iteration: the result of 'phi'
    loss += s * tanh(s);
  }
  return loss;
}

double recurrence(double x, long n) {
  // CHECK-DAG: tape-free-loops.c:[[@LINE+2]]:{{[0-9]+}}: remark: loop tapes 8 bytes per iteration
  // CHECK-DAG: tape-free-loops.c:[[@LINE+2]]:{{[0-9]+}}: remark: cached once per loop iteration: the result of 'phi'
  for (long i = 0; i < n; ++i)
    x = x * x * 0.25 + 0.5 * x - 0.1;
  return x;
}

void gradients(const double *x, double *dx, const double *w, double *dw,
               int m, int n, double *out) {
  __enzyme_autodiff((void *)rosenbrock, enzyme_dup, x, dx, enzyme_const, n);
  __enzyme_autodiff((void *)layer, enzyme_dup, w, dw, enzyme_dup, x, dx,
                    enzyme_const, m, enzyme_const, n);
  *out = __enzyme_autodiff((void *)recurrence, 1.5, (long)n);
}
