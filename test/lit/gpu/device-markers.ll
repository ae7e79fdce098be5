; Device code reads activity markers through an address-space cast; once the
; builtin call is lowered the marker loads and the marker declarations are
; gone, so no undefined `enzyme_dup` reaches the PTX (nvlink rejects it).
; RUN: %opt -passes=fluxion -S %s | %FileCheck %s
target triple = "nvptx64-nvidia-cuda"

@enzyme_dup = external addrspace(1) global i32, align 4

declare void @__enzyme_autodiff(ptr, ...)

define void @square(ptr %x) {
  %v = load double, ptr %x
  %s = fmul double %v, %v
  store double %s, ptr %x
  ret void
}

define void @kernel(ptr %x, ptr %dx) {
  %marker = load i32, ptr addrspacecast (ptr addrspace(1) @enzyme_dup to ptr)
  call void (ptr, ...) @__enzyme_autodiff(ptr @square, i32 %marker, ptr %x, ptr %dx)
  ret void
}

; CHECK-NOT: @enzyme_dup
; CHECK: define void @kernel(
; CHECK-NEXT: call void @fluxion.grad.square.dup(ptr %x, ptr %dx)
; CHECK-NOT: @enzyme_dup
