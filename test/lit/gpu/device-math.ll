; In device code the partial derivatives' math becomes libdevice calls,
; which NVPTX can compile (it cannot select llvm.cos.f64): sin's derivative
; calls __nv_cos, linked from libdevice when the module lacks it.
; RUN: %opt -passes=fluxion -S %s | %FileCheck %s
target triple = "nvptx64-nvidia-cuda"

declare double @__enzyme_autodiff(ptr, ...)
declare double @llvm.sin.f64(double)

define double @f(double %x) {
  %s = call double @llvm.sin.f64(double %x)
  ret double %s
}

define double @gradient(double %x) {
  %d = call double (ptr, ...) @__enzyme_autodiff(ptr @f, double %x)
  ret double %d
}

; CHECK-NOT: call double @llvm.cos.f64
; CHECK: call double @__nv_cos(double
; CHECK: define internal double @__nv_cos(double
