; enzyme_dupnoneed: the caller does not want the primal contents of the
; memory (Enzyme's callers may pass a dummy pointer), so the forward
; derivative writes only its tangent there, also in the callees it passes
; the memory to, as long as what it reads back from that memory only
; accumulates into it (no tangent needs it); loads whose values then go
; unused are left to dead-code elimination. A product of what was read
; back needs the primal contents, which are then written.
; RUN: %opt -passes=fluxion -S %s | %FileCheck %s

define void @accumulate(ptr %out, ptr %x) {
  %v = load double, ptr %x
  %sq = fmul double %v, %v
  %old = load double, ptr %out
  %new = fadd double %old, %sq
  store double %new, ptr %out
  %next = getelementptr double, ptr %out, i64 1
  call void @fill(ptr %next, double %v, i64 2)
  ret void
}

; Recursive, so it stays a call.
define void @fill(ptr %p, double %v, i64 %n) {
entry:
  %done = icmp eq i64 %n, 0
  br i1 %done, label %exit, label %store

store:
  store double %v, ptr %p
  %rest = getelementptr double, ptr %p, i64 1
  %m = sub i64 %n, 1
  call void @fill(ptr %rest, double %v, i64 %m)
  br label %exit

exit:
  ret void
}

; out[i] = out[i - 1] * x[i]: the loop reads back what it wrote.
define void @prefix_product(ptr %out, ptr %x, i64 %n) {
entry:
  %x0 = load double, ptr %x
  store double %x0, ptr %out
  br label %loop

loop:
  %i = phi i64 [ 1, %entry ], [ %i.next, %loop ]
  %i.prev = sub i64 %i, 1
  %prev.at = getelementptr double, ptr %out, i64 %i.prev
  %prev = load double, ptr %prev.at
  %x.at = getelementptr double, ptr %x, i64 %i
  %xi = load double, ptr %x.at
  %product = fmul double %prev, %xi
  %out.at = getelementptr double, ptr %out, i64 %i
  store double %product, ptr %out.at
  %i.next = add i64 %i, 1
  %done = icmp eq i64 %i.next, %n
  br i1 %done, label %exit, label %loop

exit:
  ret void
}

declare void @__enzyme_fwddiff(ptr, ...)
@enzyme_dupnoneed = external global i32

define void @tangent(ptr %out, ptr %dout, ptr %x, ptr %dx) {
  call void (ptr, ...) @__enzyme_fwddiff(ptr @accumulate, ptr @enzyme_dupnoneed, ptr inttoptr (i64 1 to ptr), ptr %dout, ptr %x, ptr %dx)
  call void (ptr, ...) @__enzyme_fwddiff(ptr @prefix_product, ptr @enzyme_dupnoneed, ptr %out, ptr %dout, ptr %x, ptr %dx, i64 4)
  ret void
}


; CHECK-LABEL: define internal void @fluxion.fwd.prefix_product.dupnoneed.dup.const(
; CHECK: store double %x0, ptr %out
; CHECK: store double %product, ptr %out.at

; CHECK-LABEL: define internal void @fluxion.fwd.accumulate.dupnoneed.dup(
; CHECK-NOT: store double %new, ptr %out
; CHECK: store double %new.tangent, ptr %out.tangent
; CHECK: call void @fluxion.fwd.fill.dupnoneed.dup.const(ptr %next, ptr %next.tangent,

; CHECK-LABEL: define internal void @fluxion.fwd.fill.dupnoneed.dup.const(
; CHECK-NOT: store double %v, ptr %p
; CHECK: store double %v.tangent, ptr %p.tangent
; CHECK: call void @fluxion.fwd.fill.dupnoneed.dup.const(ptr %rest, ptr %rest.tangent,

