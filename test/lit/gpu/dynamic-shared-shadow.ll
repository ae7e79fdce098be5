; Dynamic (extern) __shared__ memory that holds active data has its shadow in
; the same launch's dynamic shared memory, after the primal's bytes: the
; derivative reads %dynamic_smem_size at its entry and puts shadow k of N
; (k + 1) / (N + 1) of the way in (the launch provides N + 1 times the
; primal's bytes). The augmented sweep zeroes the shadow where the primal
; stores, the reverse sweep adds to it atomically and mirrors the barrier;
; forward mode stores tangents there, and vector mode of width 2 has two
; shadows, a third and two thirds of the way in.
; RUN: %opt -passes=fluxion -S %s | %FileCheck %s
target triple = "nvptx64-nvidia-cuda"

@dyn = external addrspace(3) global [0 x double], align 8
@enzyme_width = external global i32

declare i32 @llvm.nvvm.read.ptx.sreg.tid.x()
declare void @llvm.nvvm.barrier.cta.sync.aligned.all(i32)
declare double @__enzyme_autodiff(ptr, ...)
declare double @__enzyme_fwddiff(ptr, ...)

define double @neighbour(double %v) {
  %t = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %i = zext i32 %t to i64
  %p = getelementptr inbounds double, ptr addrspacecast (ptr addrspace(3) @dyn to ptr), i64 %i
  %sq = fmul double %v, %v
  store double %sq, ptr %p
  call void @llvm.nvvm.barrier.cta.sync.aligned.all(i32 0)
  %first = load double, ptr addrspacecast (ptr addrspace(3) @dyn to ptr)
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

define { double, double } @forward2(double %v) {
  %w = load i32, ptr @enzyme_width
  %d = call { double, double } (ptr, ...) @__enzyme_fwddiff(ptr @neighbour, i32 %w, i32 2, double %v, double 1.0, double 2.0)
  ret { double, double } %d
}

; CHECK-NOT: @dyn.shadow

; CHECK-LABEL: define internal double @fluxion.aug.neighbour.out(
; CHECK: %[[BYTES:.*]] = call i32 @llvm.nvvm.read.ptx.sreg.dynamic_smem_size()
; CHECK-NEXT: %[[HALF:.*]] = udiv i32 %[[BYTES]], 2
; CHECK-NEXT: %[[OFFSET:.*]] = mul i32 %[[HALF]], 1
; CHECK-NEXT: %[[WIDE:.*]] = zext i32 %[[OFFSET]] to i64
; CHECK-NEXT: %[[SHADOW:.*]] = getelementptr i8, ptr addrspacecast (ptr addrspace(3) @dyn to ptr), i64 %[[WIDE]]
; CHECK: %[[PS:.*]] = getelementptr {{.*}}double, ptr %[[SHADOW]], i64 %i
; CHECK: store double %sq, ptr %p
; CHECK-NEXT: store double 0.000000e+00, ptr %[[PS]]
; CHECK: call void @llvm.nvvm.barrier.cta.sync.aligned.all(i32 0)

; CHECK-LABEL: define internal { double } @fluxion.rev.neighbour.out(
; CHECK: call i32 @llvm.nvvm.read.ptx.sreg.dynamic_smem_size()
; CHECK: %[[RSHADOW:.*]] = getelementptr i8, ptr addrspacecast (ptr addrspace(3) @dyn to ptr), i64
; CHECK: atomicrmw fadd ptr %[[RSHADOW]], double
; CHECK: call void @llvm.nvvm.barrier.cta.sync.aligned.all(i32 0)

; CHECK-LABEL: define internal { double, <2 x double> } @fluxion.fwd.neighbour.dup.width2(
; CHECK: %[[B2:.*]] = call i32 @llvm.nvvm.read.ptx.sreg.dynamic_smem_size()
; CHECK-NEXT: %[[T2:.*]] = udiv i32 %[[B2]], 3
; CHECK-NEXT: mul i32 %[[T2]], 2
; CHECK: %[[B1:.*]] = call i32 @llvm.nvvm.read.ptx.sreg.dynamic_smem_size()
; CHECK-NEXT: %[[T1:.*]] = udiv i32 %[[B1]], 3
; CHECK-NEXT: mul i32 %[[T1]], 1

; CHECK-LABEL: define internal { double, double } @fluxion.fwd.neighbour.dup(
; CHECK: call i32 @llvm.nvvm.read.ptx.sreg.dynamic_smem_size()
; CHECK: %[[FSHADOW:.*]] = getelementptr i8, ptr addrspacecast (ptr addrspace(3) @dyn to ptr), i64
; CHECK: %p.tangent = getelementptr {{.*}}double, ptr %[[FSHADOW]], i64 %i
; CHECK: store double %sq.tangent, ptr %p.tangent
