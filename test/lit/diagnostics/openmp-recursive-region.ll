; A parallel region that forks itself again through a recursive call: the
; tapes of its teams nest without bound, which the per-thread tape list
; cannot hold. A clean error naming the region's function.
; RUN: %not %opt -passes='default<O1>' -disable-output %s 2>&1 | %FileCheck %s
; CHECK: error: {{.*}}fluxion: cannot differentiate a parallel region that runs itself recursively (in function 'outlined')

%struct.ident_t = type { i32, i32, i32, i32, ptr }
@0 = private unnamed_addr constant [23 x i8] c";unknown;unknown;0;0;;\00", align 1
@1 = private unnamed_addr constant %struct.ident_t { i32 0, i32 2, i32 0, i32 22, ptr @0 }, align 8

declare void @__kmpc_fork_call(ptr, i32, ptr, ...)
declare double @__enzyme_autodiff(ptr, ...)

; Each thread adds x^2 to *out, then runs the region again one level down.
define internal void @outlined(ptr noalias %gtid, ptr noalias %btid, ptr %out, ptr %x, ptr %depth) {
  %v = load double, ptr %x
  %sq = fmul double %v, %v
  %old = atomicrmw fadd ptr %out, double %sq monotonic
  %d = load i32, ptr %depth
  call void @level(ptr %out, ptr %x, i32 %d)
  ret void
}

define void @level(ptr %out, ptr %x, i32 %n) {
entry:
  %depth = alloca i32
  %more = icmp sgt i32 %n, 0
  br i1 %more, label %fork, label %done
fork:
  %next = sub i32 %n, 1
  store i32 %next, ptr %depth
  call void (ptr, i32, ptr, ...) @__kmpc_fork_call(ptr @1, i32 3, ptr @outlined, ptr %out, ptr %x, ptr %depth)
  br label %done
done:
  ret void
}

define double @f(double %x) {
  %out = alloca double
  %slot = alloca double
  store double 0.0, ptr %out
  store double %x, ptr %slot
  call void @level(ptr %out, ptr %slot, i32 2)
  %r = load double, ptr %out
  ret double %r
}

define double @g(double %x) {
  %d = call double (ptr, ...) @__enzyme_autodiff(ptr @f, double %x)
  ret double %d
}
