; An array the function only reads is read again by the reverse sweep: the
; tape holds the last loop index once (n - 1, known at entry), never the
; loaded elements, and the reverse loop counts the index down. What it reads
; again of the primal's memory and what it reads and writes of the shadows
; are in two alias scopes apart (shadows are memory of their own).
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
; CHECK: %[[LAST:.*]] = add i64 -1, %n
; CHECK-NEXT: getelementptr i8, ptr %tape
; CHECK-NEXT: store i64 %[[LAST]],
; CHECK-NOT: store
; CHECK-NOT: @fluxion.tape.push
; CHECK: ret double


; CHECK-LABEL: define internal void @fluxion.rev.dot.dup.dup.const(
; CHECK: rev.loop:
; CHECK: %i.reverse = load i64, ptr %i.counter
; CHECK: %pb = getelementptr inbounds double, ptr %b, i64 %i.reverse
; CHECK: load double, ptr %pb, align 8, !alias.scope ![[PRIMAL:[0-9]+]], !noalias ![[SHADOW:[0-9]+]]
; CHECK: %pa.shadow = getelementptr inbounds double, ptr %a.shadow
; CHECK: load double, ptr %pa.shadow, align 8, !alias.scope ![[SHADOW]], !noalias ![[PRIMAL]]
; CHECK: fadd {{(reassoc nsz contract )?}}double
; CHECK: store double {{.*}}, ptr %pa.shadow, align 8, !alias.scope ![[SHADOW]], !noalias ![[PRIMAL]]
; CHECK: sub i64 {{.*}}, 1
; CHECK: rev.exit:
; CHECK: store i64 {{.*}}, ptr %i.counter
