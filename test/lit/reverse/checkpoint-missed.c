// A checkpointed function whose memory accesses cannot be bounded, or whose
// pointer arguments may overlap, is taped as usual; -Rpass-missed=fluxion
// says why, at the call.
// RUN: %fluxion-clang -O0 -Rpass-missed=fluxion -c %s -o /dev/null 2>&1 | %FileCheck %s
#include <fluxion/ad.h>
#include <math.h>
double __ad_autodiff(void *, ...);

static double scale;

static void global_step(double *y) { y[0] = sin(y[0]) * scale; }
FLUXION_CHECKPOINT(global_step);

static void unbounded_step(double *y, int n) {
  for (int i = 0; i < n; ++i)
    y[i] = sin(y[i]);
}
FLUXION_CHECKPOINT(unbounded_step);

static void pair_step(double *a, const double *b) { a[0] += sin(b[0]); }
FLUXION_CHECKPOINT(pair_step);

static void pointer_step(double **slot, double *y) { *slot = y; }
FLUXION_CHECKPOINT(pointer_step);

double f(double *a, double *b, int n) {
  double *p;
  // CHECK: checkpoint-missed.c:[[@LINE+1]]:3: remark: the call of 'global_step' is taped, not recomputed: it reaches memory other than through its pointer parameters
  global_step(a);
  // CHECK: checkpoint-missed.c:[[@LINE+1]]:3: remark: the call of 'unbounded_step' is taped, not recomputed: the offsets it accesses from parameter '{{.*}}' have no bound
  unbounded_step(a, n);
  // CHECK: checkpoint-missed.c:[[@LINE+1]]:3: remark: the call of 'pair_step' is taped, not recomputed: its pointer arguments 1 and 2 may point into the same memory
  pair_step(a, b);
  // CHECK: checkpoint-missed.c:[[@LINE+1]]:3: remark: the call of 'pointer_step' is taped, not recomputed: it stores a pointer
  pointer_step(&p, b);
  return a[0] + p[0];
}

void grad(double *a, double *da, double *b, double *db, int n) {
  __ad_autodiff((void *)f, a, da, b, db, n);
}
