; An atomic add (or subtraction) into memory with a shadow: forward mode adds
; the tangent to the shadow atomically; reverse mode gives the added value the
; adjoint the memory holds, read without resetting it (the value stays in the
; memory, and other threads' adds share the adjoint).
; RUN: %opt -passes=fluxion -S %s | %FileCheck %s

declare double @__enzyme_autodiff(ptr, ...)
declare double @__enzyme_fwddiff(ptr, ...)
declare double @llvm.sin.f64(double)

define void @accumulate(ptr %sum, ptr %x, i64 %i) {
  %p = getelementptr inbounds double, ptr %x, i64 %i
  %v = load double, ptr %p
  %s = call double @llvm.sin.f64(double %v)
  %old = atomicrmw fadd ptr %sum, double %s monotonic, align 8
  %neg = fmul double %v, %v
  %old2 = atomicrmw fsub ptr %sum, double %neg monotonic, align 8
  ret void
}

define void @reverse(ptr %sum, ptr %dsum, ptr %x, ptr %dx, i64 %i) {
  call double (ptr, ...) @__enzyme_autodiff(ptr @accumulate, ptr %sum, ptr %dsum, ptr %x, ptr %dx, i64 %i)
  ret void
}

define void @forward(ptr %sum, ptr %dsum, ptr %x, ptr %dx, i64 %i) {
  call double (ptr, ...) @__enzyme_fwddiff(ptr @accumulate, ptr %sum, ptr %dsum, ptr %x, ptr %dx, i64 %i)
  ret void
}

; CHECK-LABEL: define internal void @fluxion.rev.accumulate
; CHECK: %[[SUB:.*]] = load double, ptr %sum.shadow
; CHECK-NEXT: fneg {{(reassoc nsz contract )?}}double %[[SUB]]
; CHECK-NOT: store double {{.*}}, ptr %sum.shadow
; CHECK: %[[ADD:.*]] = load double, ptr %sum.shadow
; CHECK-NEXT: %[[ACC:.*]] = load double, ptr %s.adjoint
; CHECK-NEXT: fadd {{(reassoc nsz contract )?}}double %[[ACC]], %[[ADD]]
; CHECK-NOT: store double {{.*}}, ptr %sum.shadow
; CHECK: ret void

; CHECK-LABEL: define internal void @fluxion.fwd.accumulate
; CHECK: %old = atomicrmw fadd {{(reassoc nsz contract )?}}ptr %sum, double %s monotonic
; CHECK-NEXT: atomicrmw fadd {{(reassoc nsz contract )?}}ptr %sum.tangent, double %s.tangent monotonic
; CHECK: %old2 = atomicrmw fsub {{(reassoc nsz contract )?}}ptr %sum, double %neg monotonic
; CHECK-NEXT: atomicrmw fsub {{(reassoc nsz contract )?}}ptr %sum.tangent, double %neg.tangent monotonic
