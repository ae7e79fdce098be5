; Reverse mode of a loop with a trip count known only at run time: values the
; adjoint rules read are pushed once per iteration (exp for its own partial,
; acc for acc*acc) onto stacks given room for n pushes at entry (in buffers
; kept per thread from the previous call, when they are large enough); values no
; rule reads (sq, t) are not cached. The loop counter is not taped: the
; reverse loop counts it down from its last value, n - 1, kept once at
; entry, and the way back into the header follows from it. The reverse function
; pops the stacks in reverse order and keeps their buffers for the next call.
; RUN: %opt -passes=fluxion -S %s | %FileCheck %s

declare double @__enzyme_autodiff(ptr, ...)
declare double @llvm.exp.f64(double)

define double @sum(double %x, i64 %n) {
entry:
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %i.next, %loop ]
  %acc = phi double [ 0.0, %entry ], [ %acc.next, %loop ]
  %e = call double @llvm.exp.f64(double %x)
  %sq = fmul double %acc, %acc
  %t = fadd double %sq, %e
  %acc.next = fmul double %t, 0.5
  %i.next = add i64 %i, 1
  %done = icmp eq i64 %i.next, %n
  br i1 %done, label %exit, label %loop
exit:
  ret double %acc.next
}

define double @gradient(double %x, i64 %n) {
  %g = call double (ptr, ...) @__enzyme_autodiff(ptr @sum, double %x, i64 %n)
  ret double %g
}

; CHECK: @[[KEPT:fluxion.tape.kept.fluxion.aug.sum.out.const]] = internal thread_local global { ptr, i64, i64 } zeroinitializer
; CHECK: define internal double @fluxion.aug.sum.out.const(ptr %tape, double %x, i64 %n)
; CHECK: entry:
; CHECK: %[[TAKEN:.*]] = add i64 -1, %n
; CHECK: %tape.max.runs = select
; CHECK: call void @fluxion.tape.take(ptr %[[STACK:[0-9]+]], ptr @[[KEPT]], i64 8)
; CHECK-NEXT: call void @fluxion.tape.ensure(ptr %[[STACK]], i64 %tape.max.runs, i64 8)
; CHECK: %[[LAST:.*]] = add i64 -1, %n
; CHECK-NEXT: getelementptr i8, ptr %tape
; CHECK-NEXT: store i64 %[[LAST]],
; CHECK: loop:
; CHECK-NOT: %came.from
; CHECK: call ptr @fluxion.tape.push(ptr {{.*}}, i64 8)
; CHECK-NEXT: store double %acc,
; CHECK: %e = call double @llvm.exp.f64(double %x)
; CHECK: call ptr @fluxion.tape.push(ptr {{.*}}, i64 8)
; CHECK-NEXT: store double %e,
; CHECK-NOT: @fluxion.tape.push
; CHECK: exit:
; CHECK-NEXT: ret double %acc.next

; CHECK-LABEL: define internal { double } @fluxion.rev.sum.out.const(ptr %tape, double %x, i64 %n, double %0)
; CHECK: rev.loop:
; CHECK: %acc.cached = load double
; CHECK: %e.cached = load double
; CHECK: %i.reverse = load i64, ptr %i.counter
; CHECK-NEXT: %[[LATER:.*]] = icmp ne i64 %i.reverse, 0
; CHECK-NEXT: %came.from.counter = select i1 %[[LATER]], i32 0, i32 1
; CHECK: sub i64 {{.*}}, 1
; CHECK: switch i32 %came.from.counter, label %rev.loop.from.entry [
; CHECK-NEXT: i32 0, label %rev.loop.from.loop
; CHECK: rev.exit:
; CHECK: store i64 {{.*}}, ptr %i.counter
; CHECK: exit:
; CHECK-COUNT-2: call void @fluxion.tape.keep(
; CHECK: ret { double }
