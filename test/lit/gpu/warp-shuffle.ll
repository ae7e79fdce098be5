; Warp shuffles: the tangent of a shuffle is the same shuffle of the
; tangent; the adjoint of a `down` shuffle comes back with an `up` shuffle
; (lanes that read themselves at the warp's end keep theirs), a butterfly
; is its own inverse, and a double shuffle split by clang into two 32-bit
; shuffles of its halves is fused back into one double shuffle first.
; RUN: %opt -passes=fluxion -S %s | %FileCheck %s
target triple = "nvptx64-nvidia-cuda"

declare float @llvm.nvvm.shfl.sync.down.f32(i32, float, i32, i32)
declare i32 @llvm.nvvm.shfl.sync.bfly.i32(i32, i32, i32, i32)
declare float @__enzyme_autodiff(ptr, ...)
declare float @__enzyme_fwddiff(ptr, ...)

define float @down(float %x) {
  %s = call float @llvm.nvvm.shfl.sync.down.f32(i32 -1, float %x, i32 4, i32 31)
  %r = fmul float %s, %x
  ret float %r
}

define double @butterfly(double %x) {
  %bits = bitcast double %x to i64
  %lo = trunc i64 %bits to i32
  %hi.wide = lshr i64 %bits, 32
  %hi = trunc i64 %hi.wide to i32
  %lo.s = call i32 @llvm.nvvm.shfl.sync.bfly.i32(i32 -1, i32 %lo, i32 1, i32 31)
  %hi.s = call i32 @llvm.nvvm.shfl.sync.bfly.i32(i32 -1, i32 %hi, i32 1, i32 31)
  %hi.z = zext i32 %hi.s to i64
  %hi.p = shl i64 %hi.z, 32
  %lo.z = zext i32 %lo.s to i64
  %joined = or disjoint i64 %hi.p, %lo.z
  %y = bitcast i64 %joined to double
  %r = fmul double %y, %x
  ret double %r
}

define float @reverse_down(float %x) {
  %d = call float (ptr, ...) @__enzyme_autodiff(ptr @down, float %x)
  ret float %d
}

define float @forward_down(float %x) {
  %d = call float (ptr, ...) @__enzyme_fwddiff(ptr @down, float %x, float 1.0)
  ret float %d
}

define double @reverse_butterfly(double %x) {
  %d = call double (ptr, ...) @__enzyme_autodiff(ptr @butterfly, double %x)
  ret double %d
}

; CHECK-LABEL: define internal double @fluxion.aug.butterfly.out(
; CHECK-NOT: shfl.sync.bfly.i32
; CHECK: %y = call {{(reassoc nsz contract )?}}double @fluxion.shfl.sync.bfly.f64(i32 -1, double %x, i32 1, i32 31)
; CHECK-NOT: shfl.sync.bfly.i32
; CHECK: ret double

; CHECK-LABEL: define internal { double } @fluxion.rev.butterfly.out(
; CHECK: %y.adj = load double, ptr %y.adjoint
; CHECK: call {{(reassoc nsz contract )?}}double @fluxion.shfl.sync.bfly.f64(i32 -1, double %y.adj, i32 1, i32 31)

; CHECK-LABEL: define internal { float } @fluxion.rev.down.out(
; CHECK: %s.adj = load float, ptr %s.adjoint
; CHECK: %[[LANE:.*]] = call {{(reassoc nsz contract )?}}i32 @llvm.nvvm.read.ptx.sreg.laneid()
; CHECK-NEXT: %[[POS:.*]] = and i32 %[[LANE]], 31
; CHECK-NEXT: %[[UP:.*]] = call {{(reassoc nsz contract )?}}float @llvm.nvvm.shfl.sync.up.f32(i32 -1, float %s.adj, i32 4, i32 0)
; CHECK-NEXT: %[[HASPARTNER:.*]] = icmp uge i32 %[[POS]], 4
; CHECK-NEXT: %[[SOURCE:.*]] = add i32 %[[POS]], 4
; CHECK-NEXT: %[[ITSELF:.*]] = icmp ugt i32 %[[SOURCE]], 31
; CHECK-NEXT: %[[FROMPARTNER:.*]] = select {{(reassoc nsz contract )?}}i1 %[[HASPARTNER]], float %[[UP]], float 0.0
; CHECK-NEXT: %[[FROMITSELF:.*]] = select {{(reassoc nsz contract )?}}i1 %[[ITSELF]], float %s.adj, float 0.0
; CHECK-NEXT: fadd {{(reassoc nsz contract )?}}float %[[FROMPARTNER]], %[[FROMITSELF]]

; CHECK-LABEL: define internal { float, float } @fluxion.fwd.down.dup(
; CHECK: %s = call {{(reassoc nsz contract )?}}float @llvm.nvvm.shfl.sync.down.f32(i32 -1, float %x, i32 4, i32 31)
; CHECK-NEXT: %s.tangent = call {{(reassoc nsz contract )?}}float @llvm.nvvm.shfl.sync.down.f32(i32 -1, float %x.tangent, i32 4, i32 31)
