// A loop-free primal of a few hundred statements gives a reverse sweep of
// one block too large for the SLP vectorizer to run on in reasonable time:
// its gradient is marked noimplicitfloat (which the vectorizers honour)
// and -Rpass=fluxion says so. The small function's derivatives are
// vectorized as before.
// RUN: %fluxion-clang -O2 -Rpass=fluxion -S -emit-llvm %s -o %t.ll 2>&1 \
// RUN:   | %FileCheck %s --check-prefix=REMARK --implicit-check-not="not vectorizing"
// RUN: %FileCheck %s < %t.ll
double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);
extern int enzyme_dup;

#define STEP(k) t = 0.5 * t + t * x[(k) % 16] + x[((k) + 3) % 16] / (1.0 + t * t);
#define STEP4(k) STEP(k) STEP(k + 1) STEP(k + 2) STEP(k + 3)
#define STEP16(k) STEP4(k) STEP4(k + 4) STEP4(k + 8) STEP4(k + 12)
#define STEP64(k) STEP16(k) STEP16(k + 16) STEP16(k + 32) STEP16(k + 48)

double large(const double *x) {
  double t = x[0];
  STEP64(0) STEP64(64) STEP64(128) STEP64(192)
  return t;
}

double small(const double *x) {
  double t = x[0];
  STEP4(0)
  return t;
}

// REMARK: large-block-not-vectorized.c:[[@LINE-11]]:{{[0-9]+}}: remark: not vectorizing the derivative of large: a block of {{[0-9]+}} instructions would take too long to compile
void gradients(const double *x, double *dx) {
  __enzyme_autodiff((void *)large, enzyme_dup, x, dx);
  __enzyme_autodiff((void *)small, enzyme_dup, x, dx);
}

// The gradient of small is inlined into its caller, which stays vectorizable.
// CHECK: define dso_local void @gradients({{.*}}) {{.*}}[[CALLER:#[0-9]+]]
// CHECK: define internal {{.*}} @fluxion.grad.large.dup({{.*}}) [[LARGE:#[0-9]+]]
// CHECK: attributes [[CALLER]] = {
// CHECK-NOT: noimplicitfloat
// CHECK-SAME: }
// CHECK: attributes [[LARGE]] = { {{.*}}noimplicitfloat
