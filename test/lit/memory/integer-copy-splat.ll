; A float the optimizer copies as integer bits (memory typed float by TBAA):
; one `load i32` whose bits reach a `<4 x i32>` splat and a scalar store in
; other blocks, through a phi. The whole copy is retyped to float, so the
; tangent follows the bits.
; RUN: %opt -passes=fluxion -S %s | %FileCheck %s

define void @fill(ptr %to, ptr %from, i64 %i, i1 %wide) {
entry:
  %src = getelementptr float, ptr %from, i64 %i
  %bits = load i32, ptr %src, !tbaa !0
  br i1 %wide, label %vector, label %scalar

vector:
  %one = insertelement <4 x i32> poison, i32 %bits, i64 0
  %splat = shufflevector <4 x i32> %one, <4 x i32> poison, <4 x i32> zeroinitializer
  store <4 x i32> %splat, ptr %to, !tbaa !0
  br label %done

scalar:
  br label %done

done:
  %last = phi i32 [ %bits, %vector ], [ 0, %scalar ]
  %at = getelementptr float, ptr %to, i64 4
  store i32 %last, ptr %at, !tbaa !0
  ret void
}

; CHECK-LABEL: define internal void @fluxion.fwd.fill.dup.dup.const.const(
; CHECK: %bits = load float, ptr %src
; CHECK: [[DBITS:%.*]] = load float, ptr %src.tangent
; CHECK: %splat = shufflevector <4 x float>
; CHECK: store <4 x float> %splat, ptr %to
; CHECK: store <4 x float> {{%.*}}, ptr %to.tangent
; CHECK: %last = phi float [ %bits, %vector ], [ 0.000000e+00, %entry ]
; CHECK: store float %last, ptr %at

; CHECK-LABEL: define internal void @fluxion.rev.fill.dup.dup.const.const(
; CHECK: load <4 x float>, ptr %to.shadow
; CHECK: %src.shadow = getelementptr float, ptr %from.shadow
; CHECK: store float {{%.*}}, ptr %src.shadow

declare void @__enzyme_fwddiff(ptr, ...)
declare void @__enzyme_autodiff(ptr, ...)
@enzyme_const = external global i32

define void @tangent(ptr %to, ptr %dto, ptr %from, ptr %dfrom, i64 %i, i1 %wide) {
  call void (ptr, ...) @__enzyme_fwddiff(ptr @fill, ptr %to, ptr %dto, ptr %from, ptr %dfrom, ptr @enzyme_const, i64 %i, ptr @enzyme_const, i1 %wide)
  ret void
}

define void @gradient(ptr %to, ptr %dto, ptr %from, ptr %dfrom, i64 %i, i1 %wide) {
  call void (ptr, ...) @__enzyme_autodiff(ptr @fill, ptr %to, ptr %dto, ptr %from, ptr %dfrom, ptr @enzyme_const, i64 %i, ptr @enzyme_const, i1 %wide)
  ret void
}

!0 = !{!1, !1, i64 0}
!1 = !{!"float", !2, i64 0}
!2 = !{!"omnipotent char", !3, i64 0}
!3 = !{!"Simple C/C++ TBAA"}
