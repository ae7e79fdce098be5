; The loop index is on the tape anyway (the reverse sweep reads a[i] again),
; so the way back through the loop header is derived from it: no taped
; predecessor index.
; RUN: %opt -passes=fluxion -S %s | %FileCheck %s

declare double @__enzyme_autodiff(ptr, ...)

define double @dot(ptr %a, ptr %b, i64 %n) {
entry:
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %i.next, %loop ]
  %s = phi double [ 0.0, %entry ], [ %s.next, %loop ]
  %pa = getelementptr inbounds double, ptr %a, i64 %i
  %pb = getelementptr inbounds double, ptr %b, i64 %i
  %va = load double, ptr %pa
  %vb = load double, ptr %pb
  %m = fmul double %va, %vb
  %s.next = fadd double %s, %m
  %i.next = add i64 %i, 1
  %done = icmp eq i64 %i.next, %n
  br i1 %done, label %exit, label %loop
exit:
  ret double %s.next
}

define void @gradient(ptr %a, ptr %da, ptr %b, ptr %db, i64 %n) {
  call double (ptr, ...) @__enzyme_autodiff(ptr @dot, ptr %a, ptr %da, ptr %b, ptr %db, i64 %n)
  ret void
}

; CHECK-LABEL: define internal double @fluxion.aug.dot.dup.dup.const(
; CHECK-NOT: came.from
; CHECK: ret double
; CHECK-LABEL: define internal void @fluxion.rev.dot.dup.dup.const(
; CHECK: %came.from.counter = select i1 {{.*}}, i32 0, i32 1
; CHECK: switch i32 %came.from.counter
