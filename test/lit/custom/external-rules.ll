; Custom rules for an external function: forward mode calls the forward
; rule; reverse mode calls the augmented rule in the forward sweep, keeps its
; tape and hands it to the reverse rule. The registration globals disappear.
; RUN: %opt -passes=fluxion -S %s | %FileCheck %s

declare double @__enzyme_autodiff(ptr, ...)
declare double @__enzyme_fwddiff(ptr, ...)
declare double @ext(double)
declare double @ext_fwd(double, double)
declare { ptr, double } @ext_aug(double)
declare double @ext_rev(double, double, ptr)

@__enzyme_register_derivative_ext = global [2 x ptr] [ptr @ext, ptr @ext_fwd]
@__enzyme_register_gradient_ext = global [3 x ptr] [ptr @ext, ptr @ext_aug, ptr @ext_rev]

define double @f(double %x) {
  %e = call double @ext(double %x)
  %m = fmul double %e, %x
  ret double %m
}

define double @forward(double %x) {
  %d = call double (ptr, ...) @__enzyme_fwddiff(ptr @f, double %x, double 1.0)
  ret double %d
}
define double @reverse(double %x) {
  %d = call double (ptr, ...) @__enzyme_autodiff(ptr @f, double %x)
  ret double %d
}

; CHECK-NOT: @__enzyme_register
; CHECK-LABEL: define internal double @fluxion.aug.f.out(ptr %tape, double %x)
; CHECK: [[R:%.*]] = call {{(reassoc nsz contract )?}}{ ptr, double } @ext_aug(double %x)
; CHECK-NEXT: %custom.tape = extractvalue { ptr, double } [[R]], 0
; CHECK: store ptr %custom.tape
; CHECK-LABEL: define internal { double } @fluxion.rev.f.out(
; CHECK: %custom.tape.cached = load ptr
; CHECK-NEXT: call {{(reassoc nsz contract )?}}double @ext_rev(double %x, double {{.*}}, ptr %custom.tape.cached)
; CHECK-LABEL: define internal { double, double } @fluxion.fwd.f.dup(
; CHECK: %e = call {{(reassoc nsz contract )?}}double @ext(double %x)
; CHECK-NEXT: %e.tangent = call {{(reassoc nsz contract )?}}double @ext_fwd(double %x, double %x.tangent)
