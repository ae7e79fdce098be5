; Eigen's packet exp (pexp<Packet2d>) computes exp with an inline-assembly
; barrier and integer exponent bits, which have no derivative. In the copy
; Fluxion differentiates, its call becomes llvm.exp on the loaded packet,
; through an invoke as well, while the primal keeps calling Eigen's code.
; RUN: %opt -passes=fluxion -S %s | %FileCheck %s

declare void @__enzyme_autodiff(ptr, ...)
declare i32 @__gxx_personality_v0(...)

define linkonce_odr <2 x double> @_ZN5Eigen8internal4pexpIDv2_dEET_RKS3_(ptr %x) {
  %v = load <2 x double>, ptr %x
  %hidden = call <2 x double> asm "", "=x,0"(<2 x double> %v)
  ret <2 x double> %hidden
}

define double @sum_exp(ptr %x) personality ptr @__gxx_personality_v0 {
entry:
  %e = invoke <2 x double> @_ZN5Eigen8internal4pexpIDv2_dEET_RKS3_(ptr %x)
          to label %done unwind label %cleanup
done:
  %a = extractelement <2 x double> %e, i64 0
  %b = extractelement <2 x double> %e, i64 1
  %s = fadd double %a, %b
  ret double %s
cleanup:
  %lp = landingpad { ptr, i32 } cleanup
  resume { ptr, i32 } %lp
}

; CHECK-LABEL: define double @sum_exp(
; CHECK: invoke <2 x double> @_ZN5Eigen8internal4pexpIDv2_dEET_RKS3_(

; CHECK-LABEL: define internal double @fluxion.aug.sum_exp
; CHECK-NOT: @_ZN5Eigen8internal4pexp
; CHECK: %[[PACKET:.*]] = load <2 x double>, ptr %x
; CHECK-NEXT: %e = call <2 x double> @llvm.exp.v2f64(<2 x double> %[[PACKET]])
; CHECK-NOT: @_ZN5Eigen8internal4pexp
; CHECK-LABEL: define internal void @fluxion.grad.sum_exp
; CHECK-NOT: @_ZN5Eigen8internal4pexp
; CHECK: ret void

define void @gradient(ptr %x, ptr %dx) {
  call void (ptr, ...) @__enzyme_autodiff(ptr @sum_exp, ptr %x, ptr %dx)
  ret void
}
