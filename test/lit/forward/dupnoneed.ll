; enzyme_dupnoneed: the caller does not want the primal contents of the
; memory (Enzyme's callers may pass a dummy pointer), so the forward
; derivative writes only its tangent there, also in the callees it passes
; the memory to; loads whose values then go unused are left to dead-code
; elimination.
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

declare void @__enzyme_fwddiff(ptr, ...)
@enzyme_dupnoneed = external global i32

define void @tangent(ptr %dout, ptr %x, ptr %dx) {
  call void (ptr, ...) @__enzyme_fwddiff(ptr @accumulate, ptr @enzyme_dupnoneed, ptr inttoptr (i64 1 to ptr), ptr %dout, ptr %x, ptr %dx)
  ret void
}


; CHECK-LABEL: define internal void @fluxion.fwd.accumulate.dupnoneed.dup(
; CHECK-NOT: store double %new, ptr %out
; CHECK: store double %new.tangent, ptr %out.tangent
; CHECK: call void @fluxion.fwd.fill.dupnoneed.dup.const(ptr %next, ptr %next.tangent,

; CHECK-LABEL: define internal void @fluxion.fwd.fill.dupnoneed.dup.const(
; CHECK-NOT: store double %v, ptr %p
; CHECK: store double %v.tangent, ptr %p.tangent
; CHECK: call void @fluxion.fwd.fill.dupnoneed.dup.const(ptr %rest, ptr %rest.tangent,
