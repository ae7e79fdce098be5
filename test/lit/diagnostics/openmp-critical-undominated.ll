; A critical section entered on either side of a branch and left after the
; two meet: no one entry dominates the exit, so the reverse cannot tell
; which ticket orders it. A clean error naming the function (clang emits
; one entry per section, so this comes from other frontends).
; RUN: %not %opt -passes='default<O1>' -disable-output %s 2>&1 | %FileCheck %s
; CHECK: error: {{.*}}fluxion: cannot differentiate a critical section whose start does not dominate its end (in function 'outlined')

%struct.ident_t = type { i32, i32, i32, i32, ptr }
@0 = private unnamed_addr constant [23 x i8] c";unknown;unknown;0;0;;\00", align 1
@1 = private unnamed_addr constant %struct.ident_t { i32 0, i32 2, i32 0, i32 22, ptr @0 }, align 8
@lock = common global [8 x i32] zeroinitializer, align 8

declare void @__kmpc_fork_call(ptr, i32, ptr, ...)
declare void @__kmpc_critical(ptr, i32, ptr)
declare void @__kmpc_end_critical(ptr, i32, ptr)
declare double @__enzyme_autodiff(ptr, ...)

; The section starts on either side of a branch and ends after the two
; meet: no one start dominates the end.
define internal void @outlined(ptr noalias %gtid, ptr noalias %btid, ptr %out, ptr %x) {
entry:
  %id = load i32, ptr %gtid
  %v = load double, ptr %x
  %odd = trunc i32 %id to i1
  br i1 %odd, label %left, label %right
left:
  call void @__kmpc_critical(ptr @1, i32 %id, ptr @lock)
  %twice = fmul double %v, 2.0
  br label %join
right:
  call void @__kmpc_critical(ptr @1, i32 %id, ptr @lock)
  %thrice = fmul double %v, 3.0
  br label %join
join:
  %w = phi double [ %twice, %left ], [ %thrice, %right ]
  %old = load double, ptr %out
  %sq = fmul double %w, %v
  %new = fadd double %old, %sq
  store double %new, ptr %out
  call void @__kmpc_end_critical(ptr @1, i32 %id, ptr @lock)
  ret void
}

define double @f(double %x) {
  %out = alloca double
  %slot = alloca double
  store double 0.0, ptr %out
  store double %x, ptr %slot
  call void (ptr, i32, ptr, ...) @__kmpc_fork_call(ptr @1, i32 2, ptr @outlined, ptr %out, ptr %slot)
  %r = load double, ptr %out
  ret double %r
}

define double @g(double %x) {
  %d = call double (ptr, ...) @__enzyme_autodiff(ptr @f, double %x)
  ret double %d
}
