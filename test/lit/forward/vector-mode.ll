; Vector forward mode keeps the lanes together: tangents are <4 x double>,
; each partial is splatted once and multiplies all lanes.
; RUN: %opt -passes=fluxion -S %s | %FileCheck %s

declare <4 x double> @__enzyme_fwddiff(ptr, ...)
declare double @llvm.sin.f64(double)
@enzyme_width = external global i32

define double @f(double %x) {
  %s = call double @llvm.sin.f64(double %x)
  %m = fmul double %s, %x
  ret double %m
}

define <4 x double> @lanes(double %x) {
  %w = load i32, ptr @enzyme_width
  %d = call <4 x double> (ptr, ...) @__enzyme_fwddiff(ptr @f, i32 %w, i32 4, double %x, double 1.0, double 2.0, double 3.0, double 4.0)
  ret <4 x double> %d
}

; CHECK-LABEL: define <4 x double> @lanes(
; CHECK: call {{(reassoc nsz contract )?}}{ double, <4 x double> } @fluxion.fwd.f.dup.width4(double %x, <4 x double>
; CHECK-LABEL: define internal { double, <4 x double> } @fluxion.fwd.f.dup.width4(double %x, <4 x double> %x.tangent)
; CHECK: [[BOTH:%.*]] = call {{(reassoc nsz contract )?}}{ double, double } @llvm.sincos.f64(double %x)
; CHECK: [[COS:%.*]] = extractvalue { double, double } [[BOTH]], 1
; CHECK-NEXT: [[INS:%.*]] = insertelement <4 x double> poison, double [[COS]], i64 0
; CHECK-NEXT: [[SPLAT:%.*]] = shufflevector <4 x double> [[INS]], <4 x double> poison, <4 x i32> zeroinitializer
; CHECK-NEXT: %s.tangent = fmul {{(reassoc nsz contract )?}}<4 x double> [[SPLAT]], %x.tangent
