; Active data stored to dynamic (extern) __shared__ memory is an error: it has
; no shadow yet (statically sized __shared__ arrays do).
; RUN: %not %opt -passes=fluxion -disable-output %s 2>&1 | %FileCheck %s

; CHECK: error: {{.*}}fluxion: active value 'v' is stored to dynamic (extern) __shared__ memory 'dyn', which has no shadow yet; use a __shared__ array of fixed size (in function 'keep')

target triple = "nvptx64-nvidia-cuda"
@dyn = external addrspace(3) global [0 x double], align 8
declare i32 @llvm.nvvm.read.ptx.sreg.tid.x()
declare double @__enzyme_autodiff(ptr, ...)
define double @keep(double %v) {
  %t = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %i = zext i32 %t to i64
  %p = getelementptr inbounds double, ptr addrspacecast (ptr addrspace(3) @dyn to ptr), i64 %i
  store double %v, ptr %p
  %r = load double, ptr %p
  ret double %r
}
define double @reverse(double %v) {
  %d = call double (ptr, ...) @__enzyme_autodiff(ptr @keep, double %v)
  ret double %d
}
