; Copies whose bytes no declared layout types. A copy from one part of an
; object to another, both reached through a parameter, is typed by what
; the function loads at each offset of either side. A copy between buffers
; whose pointers were loaded with TBAA tags in the new struct-path format
; (clang -Xclang -new-struct-path-tbaa) is typed by the tags' pointee.
; RUN: %opt -passes=fluxion -S %s | %FileCheck %s

define void @copy_buffers(ptr %from.slot, ptr %to.slot, i64 %bytes) {
  %from = load ptr, ptr %from.slot, !tbaa !3
  %to = load ptr, ptr %to.slot, !tbaa !3
  call void @llvm.memcpy.p0.p0.i64(ptr %to, ptr %from, i64 %bytes, i1 false)
  ret void
}

; CHECK-LABEL: define internal void @fluxion.rev.copy_buffers.dup.dup.const(
; CHECK: call void @fluxion.copy.adjoint.float

define double @shift_pair(ptr %o) {
  %to = getelementptr inbounds i8, ptr %o, i64 16
  call void @llvm.memcpy.p0.p0.i64(ptr %to, ptr %o, i64 16, i1 false)
  %p = load ptr, ptr %to
  %a = load double, ptr %p
  %b.addr = getelementptr inbounds i8, ptr %o, i64 24
  %b = load double, ptr %b.addr
  %r = fmul double %a, %b
  ret double %r
}

; CHECK-LABEL: define internal double @fluxion.aug.shift_pair.dup(
; CHECK: call void @"fluxion.copy.pointers.{ ptr, double }"
; CHECK-LABEL: define internal void @fluxion.rev.shift_pair.dup(
; CHECK: call void @"fluxion.copy.adjoint.{ ptr, double }"

declare void @llvm.memcpy.p0.p0.i64(ptr, ptr, i64, i1)
declare void @__enzyme_autodiff(ptr, ...)
@enzyme_const = external global i32

define void @gradients(ptr %o, ptr %do, ptr %f, ptr %df, ptr %t, ptr %dt) {
  call void (ptr, ...) @__enzyme_autodiff(ptr @shift_pair, ptr %o, ptr %do)
  call void (ptr, ...) @__enzyme_autodiff(ptr @copy_buffers, ptr %f, ptr %df, ptr %t, ptr %dt, ptr @enzyme_const, i64 8)
  ret void
}

; New struct-path TBAA: type nodes are {parent, size, name}; access tags
; {base, access, offset, size}.
!0 = !{!"Simple C++ TBAA"}
!1 = !{!0, i64 1, !"omnipotent char"}
!2 = !{!1, i64 8, !"p1 float"}
!3 = !{!2, !2, i64 0, i64 8}
!4 = !{!1, i64 4, !"float"}
!5 = !{!4, !4, i64 0, i64 4}
