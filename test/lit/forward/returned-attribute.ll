; A primal parameter marked `returned` is not what the derivative returns:
; the attribute is dropped from the derivative's copy.
; RUN: %opt -passes=fluxion -S %s | %FileCheck %s

declare double @__enzyme_fwddiff(ptr, ...)

define ptr @f(ptr returned %p, double %x) {
  store double %x, ptr %p
  ret ptr %p
}

define double @tangent(ptr %p, ptr %dp, double %x) {
  %t = call double (ptr, ...) @__enzyme_fwddiff(ptr @f, ptr %p, ptr %dp, double %x, double 1.0)
  ret double %t
}

; CHECK-LABEL: define internal ptr @fluxion.fwd.f.dup.dup(ptr %p, ptr %p.tangent, double %x, double %x.tangent)
; CHECK: store double %x.tangent, ptr %p.tangent
