; A static __shared__ array that holds active data gets a shadow __shared__
; array. Forward mode stores tangents to it where the primal stores; the
; augmented forward sweep zeroes the shadow where the primal stores (the
; shadow starts undefined, and the primal's barriers order the zeroing
; before any adjoint is added); the reverse sweep adds adjoints to it
; atomically (other threads read the same elements) and mirrors the barrier.
; RUN: %opt -passes=fluxion -S %s | %FileCheck %s
target triple = "nvptx64-nvidia-cuda"

@buf = internal addrspace(3) global [64 x double] undef, align 8

declare i32 @llvm.nvvm.read.ptx.sreg.tid.x()
declare void @llvm.nvvm.barrier.cta.sync.aligned.all(i32)
declare double @__enzyme_autodiff(ptr, ...)
declare double @__enzyme_fwddiff(ptr, ...)

define double @neighbour(double %v) {
  %t = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %i = zext i32 %t to i64
  %p = getelementptr inbounds double, ptr addrspacecast (ptr addrspace(3) @buf to ptr), i64 %i
  %sq = fmul double %v, %v
  store double %sq, ptr %p
  call void @llvm.nvvm.barrier.cta.sync.aligned.all(i32 0)
  %first = load double, ptr addrspacecast (ptr addrspace(3) @buf to ptr)
  %r = fmul double %first, %v
  ret double %r
}

define double @reverse(double %v) {
  %d = call double (ptr, ...) @__enzyme_autodiff(ptr @neighbour, double %v)
  ret double %d
}

define double @forward(double %v) {
  %d = call double (ptr, ...) @__enzyme_fwddiff(ptr @neighbour, double %v, double 1.0)
  ret double %d
}

; CHECK: @buf.shadow = internal addrspace(3) global [64 x double] undef, align 8

; CHECK-LABEL: define internal double @fluxion.aug.neighbour.out(
; CHECK: %[[PS:.*]] = getelementptr {{.*}}double, ptr addrspacecast (ptr addrspace(3) @buf.shadow to ptr), i64 %i
; CHECK: store double %sq, ptr %p
; CHECK-NEXT: store double 0.000000e+00, ptr %[[PS]]
; CHECK: call void @llvm.nvvm.barrier.cta.sync.aligned.all(i32 0)

; CHECK-LABEL: define internal { double } @fluxion.rev.neighbour.out(
; CHECK: atomicrmw fadd ptr addrspacecast (ptr addrspace(3) @buf.shadow to ptr), double
; CHECK: call void @llvm.nvvm.barrier.cta.sync.aligned.all(i32 0)
; CHECK: %[[DSQ:.*]] = load double, ptr %p.shadow
; CHECK-NEXT: store double 0.000000e+00, ptr %p.shadow

; CHECK-LABEL: define internal { double, double } @fluxion.fwd.neighbour.dup(
; CHECK: %p.tangent = getelementptr {{.*}}double, ptr addrspacecast (ptr addrspace(3) @buf.shadow to ptr), i64 %i
; CHECK: store double %sq.tangent, ptr %p.tangent
; CHECK: %first.tangent = load double, ptr addrspacecast (ptr addrspace(3) @buf.shadow to ptr)
