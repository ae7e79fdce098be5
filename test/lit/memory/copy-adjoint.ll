; memcpy of doubles between shadowed buffers: reverse mode moves the
; destination's adjoints back to the source, element by element, with the
; element type deduced from the typed accesses.
; RUN: %opt -passes=fluxion -S %s | %FileCheck %s

declare double @__enzyme_autodiff(ptr, ...)
declare void @llvm.memcpy.p0.p0.i64(ptr, ptr, i64, i1)

define double @copy_then_read(ptr %src, ptr %dst, i64 %n) {
  %bytes = shl i64 %n, 3
  call void @llvm.memcpy.p0.p0.i64(ptr %dst, ptr %src, i64 %bytes, i1 false)
  %v = load double, ptr %dst
  %m = fmul double %v, %v
  ret double %m
}

define void @gradient(ptr %s, ptr %ds, ptr %d, ptr %dd, i64 %n) {
  call double (ptr, ...) @__enzyme_autodiff(ptr @copy_then_read, ptr %s, ptr %ds, ptr %d, ptr %dd, i64 %n)
  ret void
}

; CHECK-LABEL: define internal void @fluxion.rev.copy_then_read.dup.dup.const(
; CHECK: call void @fluxion.copy.adjoint.double(ptr %dst.shadow, ptr %src.shadow, i64
; CHECK-LABEL: define internal void @fluxion.copy.adjoint.double(ptr %0, ptr %1, i64 %2)
; CHECK: %count = udiv i64 %2, 8
; CHECK: fadd double
; CHECK: store double 0.000000e+00
