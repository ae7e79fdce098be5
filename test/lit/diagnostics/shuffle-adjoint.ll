; Reverse mode of a shuffle from a lane computed at run time has no adjoint
; yet: the error says so (broadcasts from a constant lane do have one).
; RUN: %not %opt -passes=fluxion -disable-output %s 2>&1 | %FileCheck %s
target triple = "nvptx64-nvidia-cuda"

; CHECK: error: {{.*}}fluxion: shuffles from a lane computed at run time have no adjoint yet; broadcasts from a constant lane do (in function 'gather')

declare float @llvm.nvvm.shfl.sync.idx.f32(i32, float, i32, i32)
declare float @__enzyme_autodiff(ptr, ...)

define float @gather(float %x, i32 %lane) {
  %s = call float @llvm.nvvm.shfl.sync.idx.f32(i32 -1, float %x, i32 %lane, i32 31)
  ret float %s
}

define float @caller(float %x, i32 %lane) {
  %d = call float (ptr, ...) @__enzyme_autodiff(ptr @gather, float %x, i32 %lane)
  ret float %d
}
