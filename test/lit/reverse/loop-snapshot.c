// A dense layer reads its input h[j] once per output i. The outer loop
// never writes h, so the reverse sweep reads h from a snapshot taken when
// that loop is entered (512 bytes per sample) instead of taping h[j] once
// per (i, j); the inner loops tape nothing. The gradient is checked against
// finite differences in test/integration/memory/loop_snapshot.c.
// RUN: %fluxion-clang -O2 -g -Rpass=fluxion -c %s -o /dev/null 2>&1 \
// RUN:   | %FileCheck %s --implicit-check-not="loop tapes"
#include <math.h>
double __enzyme_autodiff(void *, ...);
extern int enzyme_dup, enzyme_const;

enum { N = 64 };

double two_layers(const double *w1, const double *w2, const double *x,
                  int batch) {
  double loss = 0;
  // CHECK-DAG: loop-snapshot.c:[[@LINE+1]]:{{[0-9]+}}: remark: loop tapes 512 bytes per iteration
  for (int s = 0; s < batch; ++s) {
    double h[N];
    // CHECK-DAG: loop-snapshot.c:[[@LINE+1]]:{{[0-9]+}}: remark: loop tapes 8 bytes per iteration
    for (int i = 0; i < N; ++i) {
      double t = 0;
      for (int j = 0; j < N; ++j)
        t += w1[i * N + j] * x[s * N + j];
      h[i] = tanh(t);
    }
    // CHECK-DAG: loop-snapshot.c:[[@LINE+2]]:{{[0-9]+}}: remark: the loop reads 'h' from a snapshot of its 512 bytes taken on entry
    // CHECK-DAG: loop-snapshot.c:[[@LINE+1]]:{{[0-9]+}}: remark: loop tapes 24 bytes per iteration
    for (int i = 0; i < N; ++i) {
      double t = 0;
      for (int j = 0; j < N; ++j)
        t += w2[i * N + j] * h[j];
      loss += t * t;
    }
  }
  return loss;
}

void gradient(const double *w1, double *dw1, const double *w2, double *dw2,
              const double *x, int batch) {
  __enzyme_autodiff((void *)two_layers, enzyme_dup, w1, dw1, enzyme_dup, w2,
                    dw2, enzyme_const, x, enzyme_const, batch);
}
