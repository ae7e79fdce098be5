; A block barrier in differentiated device code is mirrored in the reverse
; sweep: adjoints then flow back through the memory the barrier ordered.
; RUN: %opt -passes=fluxion -S %s | %FileCheck %s
target triple = "nvptx64-nvidia-cuda"

declare double @__enzyme_autodiff(ptr, ...)
declare void @llvm.nvvm.barrier.cta.sync.aligned.all(i32)

define double @f(ptr %x, i64 %i) {
  %p = getelementptr inbounds double, ptr %x, i64 %i
  %v = load double, ptr %p
  call void @llvm.nvvm.barrier.cta.sync.aligned.all(i32 0)
  %m = fmul double %v, %v
  ret double %m
}

define void @gradient(ptr %x, ptr %dx, i64 %i) {
  call double (ptr, ...) @__enzyme_autodiff(ptr @f, ptr %x, ptr %dx, i64 %i)
  ret void
}

; CHECK-LABEL: define internal double @fluxion.aug.f.dup.const(
; CHECK: call void @llvm.nvvm.barrier.cta.sync.aligned.all(i32 0)
; CHECK-LABEL: define internal void @fluxion.rev.f.dup.const(
; CHECK: fmul double
; CHECK: call void @llvm.nvvm.barrier.cta.sync.aligned.all(i32 0)
; CHECK: atomicrmw fadd ptr %p.shadow
