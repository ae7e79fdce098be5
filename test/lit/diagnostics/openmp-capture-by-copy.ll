; A parallel region that receives an active double by value (clang passes
; firstprivate doubles as integer bits, which Fluxion moves into a slot;
; a frontend may also pass the double itself): its adjoint would have to
; come back from every thread through the fork, which has no place for it.
; A clean error naming the function.
; RUN: %not %opt -passes='default<O1>' -disable-output %s 2>&1 | %FileCheck %s
; CHECK: error: {{.*}}fluxion: cannot differentiate a parallel region that captures an active value by copy; capture it by reference (in function 'f')

%struct.ident_t = type { i32, i32, i32, i32, ptr }
@0 = private unnamed_addr constant [23 x i8] c";unknown;unknown;0;0;;\00", align 1
@1 = private unnamed_addr constant %struct.ident_t { i32 0, i32 2, i32 0, i32 22, ptr @0 }, align 8

declare void @__kmpc_fork_call(ptr, i32, ptr, ...)
declare double @__enzyme_autodiff(ptr, ...)

define internal void @outlined(ptr noalias %gtid, ptr noalias %btid, ptr %out, double %v) {
  %sq = fmul double %v, %v
  %old = atomicrmw fadd ptr %out, double %sq monotonic
  ret void
}

define double @f(double %x) {
  %out = alloca double
  store double 0.0, ptr %out
  call void (ptr, i32, ptr, ...) @__kmpc_fork_call(ptr @1, i32 2, ptr @outlined, ptr %out, double %x)
  %r = load double, ptr %out
  ret double %r
}

define double @g(double %x) {
  %d = call double (ptr, ...) @__enzyme_autodiff(ptr @f, double %x)
  ret double %d
}
