// A parallel region's derivatives run as parallel regions. Forward mode
// forks the tangent microtask. Reverse mode forks the augmented microtask
// through a wrapper that gives each thread a tape of its own in a list,
// then forks the reverse through a wrapper that finds the tape of its
// thread number, in a team of as many threads, and frees the list after
// the join. The reduction becomes a critical section whose reverse waits
// for its ticket's turn, and adjoints to memory every thread reads are
// summed per thread and added atomically (runtime/omp/AdjointWindows.c).
// RUN: %fluxion-clang -fopenmp -O2 -S -emit-llvm %s -o - | %FileCheck %s
// RUN: %fluxion-clang -fopenmp -O0 -Xclang -llvm-verify-each -c %s -o /dev/null
double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);
extern int enzyme_dup;

double f(const double *x, int n) {
  double s = 0;
#pragma omp parallel for reduction(+ : s)
  for (int i = 0; i < n; i++)
    s += x[i] * x[0];
  return s;
}

// CHECK-LABEL: define {{.*}} @gradient(
// CHECK: call void (ptr, i32, ptr, ...) @__kmpc_fork_call(ptr {{.*}}, ptr {{.*}}@[[AUG:fluxion.omp.aug.[^,]*]],
// CHECK: call void @__kmpc_push_num_threads(
// CHECK-NEXT: call void (ptr, i32, ptr, ...) @__kmpc_fork_call(ptr {{.*}}, ptr {{.*}}@[[REV:fluxion.omp.rev.[^,]*]],
// CHECK: call void @free(
void gradient(const double *x, double *dx, int n) {
  __enzyme_autodiff((void *)f, enzyme_dup, x, dx, n);
}

// CHECK-LABEL: define {{.*}} @tangent(
// CHECK: call void (ptr, i32, ptr, ...) @__kmpc_fork_call(ptr {{.*}}, ptr {{.*}}@fluxion.fwd.f.omp_outlined
double tangent(const double *x, const double *dx, int n) {
  return __enzyme_fwddiff((void *)f, enzyme_dup, x, dx, n);
}

// CHECK: define internal void @[[AUG]](
// CHECK: call {{.*}} @malloc(
// CHECK: call void @__kmpc_critical(
// CHECK-NEXT: atomicrmw add ptr @[[TURN:fluxion.omp.turn[^,]*]], i64 1
// CHECK: call void @__kmpc_end_critical(
// CHECK: atomicrmw xchg ptr

// Adjoints of x, which every thread reads, are summed in the thread's
// window, and added atomically inside the reverse critical section, before
// its turn passes on.
// CHECK: define internal void @[[REV]](
// CHECK: call fastcc void @[[MISS:miss_f64[.0-9]*]](
// CHECK: load atomic i64, ptr @[[TURN]] acquire
// CHECK: call fastcc void @[[FLUSH:flush_f64[.0-9]*]](
// CHECK: store atomic i64 {{.*}}, ptr @[[TURN]] release
// CHECK: define internal fastcc void @[[MISS]](
// CHECK: define internal fastcc void @[[FLUSH]](
// CHECK: atomicrmw fadd ptr
