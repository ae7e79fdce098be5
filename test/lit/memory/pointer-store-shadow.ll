; Storing a pointer that has no shadow into shadowed memory stores a null
; shadow pointer there: the shadow must not keep a pointer an earlier store
; left (a buffer freed since, say).
; RUN: %opt -passes=fluxion -S %s | %FileCheck %s

declare double @__enzyme_fwddiff(ptr, ...)
declare double @__enzyme_autodiff(ptr, ...)

define double @reset(ptr %slot, ptr %data) {
  store ptr %data, ptr %slot
  %p = load ptr, ptr %slot
  %v = load double, ptr %p
  store ptr null, ptr %slot
  ret double %v
}

; CHECK-LABEL: define internal { double, double } @fluxion.fwd.reset
; CHECK: store ptr %data.tangent, ptr %slot.tangent
; CHECK: store ptr null, ptr %slot,
; CHECK-NEXT: store ptr null, ptr %slot.tangent
define double @tangent(ptr %slot, ptr %dslot, ptr %data, ptr %ddata) {
  %t = call double (ptr, ...) @__enzyme_fwddiff(ptr @reset, ptr %slot, ptr %dslot, ptr %data, ptr %ddata)
  ret double %t
}

; CHECK-LABEL: define internal double @fluxion.aug.reset
; CHECK: store ptr %data.shadow, ptr %slot.shadow
; CHECK: store ptr null, ptr %slot.shadow
; CHECK-NEXT: store ptr null, ptr %slot,
define void @split(ptr %slot, ptr %dslot, ptr %data, ptr %ddata) {
  call double (ptr, ...) @__enzyme_autodiff(ptr @reset, ptr %slot, ptr %dslot, ptr %data, ptr %ddata)
  ret void
}
