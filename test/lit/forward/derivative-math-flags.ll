; The arithmetic a derivative adds may be reassociated and contracted and
; ignores the sign of zero, as Enzyme's does, so that tangent and adjoint
; sums vectorize like the primal; the primal's own operations keep their
; flags. -fluxion-strict-fp leaves the derivative's arithmetic without flags.
; RUN: %opt -passes=fluxion -S %s | %FileCheck %s
; RUN: %opt -passes=fluxion -fluxion-strict-fp -S %s | %FileCheck %s --check-prefix=STRICT

declare double @__enzyme_fwddiff(ptr, ...)
declare { double, double } @__enzyme_autodiff(ptr, ...)

define double @f(double %x, double %y) {
  %m = fmul double %x, %y
  %s = fadd double %m, %x
  ret double %s
}

define double @tangent(double %x, double %dx, double %y, double %dy) {
  %r = call double (ptr, ...) @__enzyme_fwddiff(ptr @f, double %x, double %dx, double %y, double %dy)
  ret double %r
}

define { double, double } @gradient(double %x, double %y) {
  %r = call { double, double } (ptr, ...) @__enzyme_autodiff(ptr @f, double %x, double %y)
  ret { double, double } %r
}

; CHECK-LABEL: define internal {{.*}} @fluxion.fwd.f.dup.dup(
; CHECK: %m = fmul double %x, %y
; CHECK: fmul reassoc nsz contract double
; CHECK: fadd reassoc nsz contract double
; CHECK: %s = fadd double %m, %x
; CHECK-LABEL: define internal {{.*}} @fluxion.rev.f.out.out(
; CHECK: fmul reassoc nsz contract double

; STRICT-LABEL: define internal {{.*}} @fluxion.fwd.f.dup.dup(
; STRICT-NOT: reassoc
; STRICT-LABEL: define internal {{.*}} @fluxion.rev.f.out.out(
; STRICT-NOT: reassoc
