; The optimizer copies doubles with integers (a small memcpy becomes
; `store i64 (load i64 p), q`) where nothing says what the bytes hold.
; Forward mode copies the tangent's bits alongside, right whatever the
; bytes are; bits from memory without a shadow overwrite the destination's
; tangent, and in reverse mode its adjoint, with zero.
; RUN: %opt -passes=fluxion -S %s | %FileCheck %s

define void @copy_bits(ptr %to, ptr %from) {
  %bits = load i64, ptr %from
  store i64 %bits, ptr %to
  ret void
}

define void @overwrite(ptr %to, ptr %constant) {
  %bits = load i64, ptr %constant
  store i64 %bits, ptr %to
  ret void
}

; CHECK-LABEL: define internal void @fluxion.fwd.overwrite.dup.const(
; CHECK: store i64 %bits, ptr %to
; CHECK-NEXT: store i64 0, ptr %to.tangent

; CHECK-LABEL: define internal void @fluxion.fwd.copy_bits.dup.dup(
; CHECK: store i64 %bits, ptr %to
; CHECK-NEXT: [[T:%.*]] = load i64, ptr %from.tangent
; CHECK-NEXT: store i64 [[T]], ptr %to.tangent

; CHECK-LABEL: define internal void @fluxion.rev.overwrite.dup.const(
; CHECK: store i64 0, ptr %to.shadow

declare void @__enzyme_fwddiff(ptr, ...)
declare void @__enzyme_autodiff(ptr, ...)
@enzyme_const = external global i32

define void @tangents(ptr %to, ptr %dto, ptr %from, ptr %dfrom) {
  call void (ptr, ...) @__enzyme_fwddiff(ptr @copy_bits, ptr %to, ptr %dto, ptr %from, ptr %dfrom)
  call void (ptr, ...) @__enzyme_fwddiff(ptr @overwrite, ptr %to, ptr %dto, ptr @enzyme_const, ptr %from)
  ret void
}

define void @gradient(ptr %to, ptr %dto, ptr %c) {
  call void (ptr, ...) @__enzyme_autodiff(ptr @overwrite, ptr %to, ptr %dto, ptr @enzyme_const, ptr %c)
  ret void
}
