// __enzyme_allocation_like = {allocator, (void *)index of the size
// parameter, "deallocator arguments", deallocator}: calls of the allocator
// allocate as malloc does. The shadow of such memory comes from the same
// allocator (with the same arguments, zeroed over the size argument), and
// the reverse sweep releases it through the deallocator, whose arguments are
// the listed allocator arguments, -1 standing for the pointer. The program
// checks the derivative against its closed form (relative 1e-12) and counts
// what the pool handed out and took back.
// RUN: %fluxion-clang -O0 %s -o %t0 -lm && %t0
// RUN: %fluxion-clang -O2 %s -o %t2 -lm && %t2
// RUN: %fluxion-clang -O0 -S -emit-llvm %s -o - | %FileCheck %s
// CHECK-LABEL: define internal { double } @fluxion.grad.f.out(
// CHECK: call ptr @pool_alloc(ptr {{.*}}@pool, i64 {{.*}}16, ptr {{.*}}@pool_used)
// CHECK: %[[SHADOW:.+]] = call ptr @pool_alloc(ptr {{.*}}@pool, i64 {{.*}}16, ptr {{.*}}@pool_used)
// CHECK: call void @llvm.memset.p0.i64(ptr {{.*}}%[[SHADOW]], i8 0, i64 16,
// CHECK: call void @pool_release(ptr {{.*}}@pool_used, ptr
// CHECK-LABEL: define internal { double, double } @fluxion.fwd.f.dup(
// CHECK: call ptr @pool_alloc(ptr {{.*}}@pool, i64 {{.*}}16, ptr {{.*}}@pool_used)
// CHECK: %[[TANGENT:.+]] = call ptr @pool_alloc(ptr {{.*}}@pool, i64 {{.*}}16, ptr {{.*}}@pool_used)
// CHECK: call void @llvm.memset.p0.i64(ptr {{.*}}%[[TANGENT]], i8 0, i64 16,
#include <math.h>
#include <stdio.h>
#include <string.h>

double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);

static char pool[4096];
static long pool_used, pool_allocations, pool_releases;
static void *last_released;

// A bump allocator whose memory is not zeroed: the shadow must be cleared
// by the derivative.
void *pool_alloc(char *base, long bytes, long *used) {
  void *p = base + *used;
  *used += bytes;
  ++pool_allocations;
  return p;
}

void pool_release(long *used, void *p) {
  (void)used;
  ++pool_releases;
  last_released = p;
}

void *__enzyme_allocation_like[4] = {(void *)pool_alloc, (void *)1,
                                     (void *)"2,-1", (void *)pool_release};

__attribute__((noinline)) double *square_into_pool(double x) {
  double *m = pool_alloc(pool, 2 * sizeof(double), &pool_used);
  m[0] = x * x;
  m[1] = sin(x);
  return m;
}

double f(double x) {
  double *m = square_into_pool(x);
  return m[0] * m[1];
}

static int check(const char *what, double got, double want) {
  if (fabs(got - want) <= 1e-12 * fabs(want))
    return 0;
  printf("%s: got %.17g, want %.17g\n", what, got, want);
  return 1;
}

int main(void) {
  int failures = 0;
  for (double x = 0.25; x < 2; x += 0.25) {
    double want = 2 * x * sin(x) + x * x * cos(x);
    // Garbage where the shadow will be allocated.
    memset(pool + pool_used, 0x7f, 256);
    long allocations = pool_allocations, releases = pool_releases;
    failures += check("reverse", __enzyme_autodiff((void *)f, x), want);
    // The primal's block, then the shadow right after it, which the reverse
    // sweep hands back.
    if (pool_allocations - allocations != 2 || pool_releases - releases != 1 ||
        last_released != pool + pool_used - 2 * sizeof(double)) {
      printf("reverse: %ld allocations, %ld releases\n",
             pool_allocations - allocations, pool_releases - releases);
      ++failures;
    }
    memset(pool + pool_used, 0x7f, 256);
    failures += check("forward", __enzyme_fwddiff((void *)f, x, 1.0), want);
    if (pool_used > (long)sizeof(pool) - 256)
      pool_used = 0;
  }
  return failures != 0;
}
