; The tangent of sin(x) needs cos(x) (and that of cos(x) needs sin(x)):
; forward mode computes both with one llvm.sincos, which libm's sincos
; evaluates for little more than one of them. Device code keeps separate
; libdevice calls.
; RUN: %opt -passes=fluxion -S %s | %FileCheck %s
; RUN: %opt -passes=fluxion -S %s | %FileCheck --check-prefix=FLOAT %s
target triple = "x86_64-unknown-linux-gnu"

declare double @sin(double)
declare float @llvm.cos.f32(float)
declare double @__enzyme_fwddiff(ptr, ...)

define double @wave(double %x) {
  %s = call double @sin(double %x)
  %r = fmul double %s, %x
  ret double %r
}

define float @ripple(float %x) {
  %c = call float @llvm.cos.f32(float %x)
  ret float %c
}

define double @tangent(double %x, double %dx) {
  %t = call double (ptr, ...) @__enzyme_fwddiff(ptr @wave, double %x, double %dx)
  ret double %t
}

define float @tangent_f(float %x, float %dx) {
  %t = call float (ptr, ...) @__enzyme_fwddiff(ptr @ripple, float %x, float %dx)
  ret float %t
}

; CHECK-LABEL: define internal { double, double } @fluxion.fwd.wave.dup(
; CHECK: %[[BOTH:.*]] = call {{(reassoc nsz contract )?}}{ double, double } @llvm.sincos.f64(double %x)
; CHECK-NEXT: %s = extractvalue { double, double } %[[BOTH]], 0
; CHECK-NEXT: %[[COS:.*]] = extractvalue { double, double } %[[BOTH]], 1
; CHECK-NOT: call {{(reassoc nsz contract )?}}double @sin
; CHECK: fmul {{(reassoc nsz contract )?}}double %[[COS]], %x.tangent

; FLOAT-LABEL: define internal { float, float } @fluxion.fwd.ripple.dup(
; FLOAT: %[[BOTHF:.*]] = call {{(reassoc nsz contract )?}}{ float, float } @llvm.sincos.f32(float %x)
; FLOAT-NOT: @llvm.cos.f32
; FLOAT: ret
