; Forward mode of a scalar function: each active value is followed by its
; tangent, built from the rule table's partial derivatives.
; RUN: %opt -passes=fluxion -S %s | %FileCheck %s

declare double @__enzyme_fwddiff(ptr, ...)
declare double @llvm.sin.f64(double)

define double @f(double %x, double %y) {
  %s = call double @llvm.sin.f64(double %x)
  %m = fmul double %s, %y
  ret double %m
}

; CHECK-LABEL: define double @tangent(
; CHECK-NEXT: [[R:%.*]] = call {{(reassoc nsz contract )?}}{ double, double } @fluxion.fwd.f.dup.const(double %x, double %dx, double %y)
; CHECK-NEXT: [[T:%.*]] = extractvalue { double, double } [[R]], 1
; CHECK-NEXT: ret double [[T]]
define double @tangent(double %x, double %dx, double %y) {
  %t = call double (ptr, ...) @__enzyme_fwddiff(ptr @f, double %x, double %dx, ptr @enzyme_const, double %y)
  ret double %t
}
@enzyme_const = external global i32

; CHECK-LABEL: define internal { double, double } @fluxion.fwd.f.dup.const(double %x, double %x.tangent, double %y)
; CHECK: [[BOTH:%.*]] = call {{(reassoc nsz contract )?}}{ double, double } @llvm.sincos.f64(double %x)
; CHECK-NEXT: %s = extractvalue { double, double } [[BOTH]], 0
; CHECK-NEXT: [[COS:%.*]] = extractvalue { double, double } [[BOTH]], 1
; CHECK-NEXT: %s.tangent = fmul {{(reassoc nsz contract )?}}double [[COS]], %x.tangent
; CHECK-NEXT: %m = fmul {{(reassoc nsz contract )?}}double %s, %y
; CHECK-NEXT: %m.tangent = fmul {{(reassoc nsz contract )?}}double %y, %s.tangent
; CHECK-NEXT: [[P:%.*]] = insertvalue { double, double } poison, double %m, 0
; CHECK-NEXT: [[Q:%.*]] = insertvalue { double, double } [[P]], double %m.tangent, 1
; CHECK-NEXT: ret { double, double } [[Q]]
; The marker global is gone with its last use.
; CHECK-NOT: @enzyme_const
