; Adjoints of shuffles within parts of a warp and from lanes computed at run
; time. `__shfl_up_sync(mask, v, 2, 16)` (clamp operand 16 << 8 | 0: segment
; mask 16, first lane 0) comes back as a `down` shuffle of the same width,
; with the segment's edges taken from the lane's position in its 16 lanes;
; a broadcast from lane 3 of each 8 lanes (24 << 8 | 31) sums the
; segment's adjoints with butterflies of distance 4, 2 and 1 inside it; a
; gather from a lane each thread computes sends every adjoint to the lane it
; read through fluxion.shfl.gather, which visits the 32 lanes in turn, and so
; does a shuffle whose constant mask holds part of a segment (lanes 0-3 of
; 32). A mask known only at run time goes to fluxion.shfl.adjoint.*, where
; the lanes vote on whether each has its whole segment in the mask: the
; segment rule if so, the gather otherwise.
; RUN: %opt -passes=fluxion -S %s | %FileCheck %s
target triple = "nvptx64-nvidia-cuda"

declare float @llvm.nvvm.shfl.sync.up.f32(i32, float, i32, i32)
declare float @llvm.nvvm.shfl.sync.idx.f32(i32, float, i32, i32)
declare float @__enzyme_autodiff(ptr, ...)

define float @up16(float %x) {
  %s = call float @llvm.nvvm.shfl.sync.up.f32(i32 -1, float %x, i32 2, i32 4096)
  %r = fmul float %s, %x
  ret float %r
}

define float @broadcast8(float %x) {
  %s = call float @llvm.nvvm.shfl.sync.idx.f32(i32 -1, float %x, i32 3, i32 6175)
  %r = fmul float %s, %x
  ret float %r
}

define float @gather(float %x, i32 %lane) {
  %s = call float @llvm.nvvm.shfl.sync.idx.f32(i32 -1, float %x, i32 %lane, i32 31)
  %r = fmul float %s, %x
  ret float %r
}

define float @quad(float %x) {
  %s = call float @llvm.nvvm.shfl.sync.idx.f32(i32 15, float %x, i32 0, i32 31)
  %r = fmul float %s, %x
  ret float %r
}

define float @masked(float %x, i32 %mask) {
  %s = call float @llvm.nvvm.shfl.sync.up.f32(i32 %mask, float %x, i32 2, i32 4096)
  %r = fmul float %s, %x
  ret float %r
}

define float @reverse_quad(float %x) {
  %d = call float (ptr, ...) @__enzyme_autodiff(ptr @quad, float %x)
  ret float %d
}

define float @reverse_masked(float %x, i32 %mask) {
  %d = call float (ptr, ...) @__enzyme_autodiff(ptr @masked, float %x, i32 %mask)
  ret float %d
}

define float @reverse_up16(float %x) {
  %d = call float (ptr, ...) @__enzyme_autodiff(ptr @up16, float %x)
  ret float %d
}

define float @reverse_broadcast8(float %x) {
  %d = call float (ptr, ...) @__enzyme_autodiff(ptr @broadcast8, float %x)
  ret float %d
}

define float @reverse_gather(float %x, i32 %lane) {
  %d = call float (ptr, ...) @__enzyme_autodiff(ptr @gather, float %x, i32 %lane)
  ret float %d
}

; CHECK-LABEL: define internal { float } @fluxion.rev.gather.out.const(
; CHECK: %[[SRC:.*]] = select {{(reassoc nsz contract )?}}i1 %{{.*}}, i32 %{{.*}}, i32 %{{.*}}
; CHECK-NEXT: call {{(reassoc nsz contract )?}}float @fluxion.shfl.gather.f32(i32 -1, float %s.adj, i32 %[[SRC]])

; CHECK-LABEL: define internal float @fluxion.shfl.gather.f32(i32 %0, float %1, i32 %2)
; CHECK: %[[LANE:.*]] = call {{(reassoc nsz contract )?}}i32 @llvm.nvvm.read.ptx.sreg.laneid()
; CHECK: lanes:
; CHECK-NEXT: %other = phi {{(reassoc nsz contract )?}}i32 [ 0, %entry ], [ %[[NEXT:.*]], %lanes ]
; CHECK-NEXT: %sum = phi {{(reassoc nsz contract )?}}float [ 0.000000e+00, %entry ], [ %[[ADDED:.*]], %lanes ]
; CHECK-NEXT: %[[V:.*]] = call {{(reassoc nsz contract )?}}float @llvm.nvvm.shfl.sync.idx.f32(i32 %0, float %1, i32 %other, i32 31)
; CHECK-NEXT: %[[S:.*]] = call {{(reassoc nsz contract )?}}i32 @llvm.nvvm.shfl.sync.idx.i32(i32 %0, i32 %2, i32 %other, i32 31)
; CHECK: icmp eq i32 %[[S]], %[[LANE]]
; CHECK: %[[ADDED]] = fadd {{(reassoc nsz contract )?}}float %sum,
; CHECK: %[[NEXT]] = add i32 %other, 1
; CHECK: icmp eq i32 %[[NEXT]], 32

; CHECK-LABEL: define internal { float } @fluxion.rev.broadcast8.out(
; CHECK: %[[POS:.*]] = and i32 %{{.*}}, 7
; CHECK-NEXT: %[[S4:.*]] = call {{(reassoc nsz contract )?}}float @llvm.nvvm.shfl.sync.bfly.f32(i32 -1, float %s.adj, i32 4, i32 6175)
; CHECK-NEXT: %[[A4:.*]] = fadd {{(reassoc nsz contract )?}}float %s.adj, %[[S4]]
; CHECK-NEXT: %[[S2:.*]] = call {{(reassoc nsz contract )?}}float @llvm.nvvm.shfl.sync.bfly.f32(i32 -1, float %[[A4]], i32 2, i32 6175)
; CHECK-NEXT: %[[A2:.*]] = fadd {{(reassoc nsz contract )?}}float %[[A4]], %[[S2]]
; CHECK-NEXT: %[[S1:.*]] = call {{(reassoc nsz contract )?}}float @llvm.nvvm.shfl.sync.bfly.f32(i32 -1, float %[[A2]], i32 1, i32 6175)
; CHECK-NEXT: %[[A1:.*]] = fadd {{(reassoc nsz contract )?}}float %[[A2]], %[[S1]]
; CHECK-NEXT: %[[IS3:.*]] = icmp eq i32 %[[POS]], 3
; CHECK-NEXT: select {{(reassoc nsz contract )?}}i1 %[[IS3]], float %[[A1]], float 0.0
; CHECK-NOT: shfl.sync
; CHECK: ret { float }

; CHECK-LABEL: define internal { float } @fluxion.rev.up16.out(
; CHECK: %[[LANE:.*]] = call {{(reassoc nsz contract )?}}i32 @llvm.nvvm.read.ptx.sreg.laneid()
; CHECK-NEXT: %[[POS:.*]] = and i32 %[[LANE]], 15
; CHECK-NEXT: %[[DOWN:.*]] = call {{(reassoc nsz contract )?}}float @llvm.nvvm.shfl.sync.down.f32(i32 -1, float %s.adj, i32 2, i32 4127)
; CHECK-NEXT: %[[END:.*]] = add i32 %[[POS]], 2
; CHECK-NEXT: %[[HASPARTNER:.*]] = icmp ule i32 %[[END]], 15
; CHECK-NEXT: %[[ITSELF:.*]] = icmp ult i32 %[[POS]], 2
; CHECK-NEXT: select {{(reassoc nsz contract )?}}i1 %[[HASPARTNER]], float %[[DOWN]], float 0.0
; CHECK-NEXT: select {{(reassoc nsz contract )?}}i1 %[[ITSELF]], float %s.adj, float 0.0

; CHECK-LABEL: define internal { float } @fluxion.rev.masked.out.const(
; CHECK: call {{(reassoc nsz contract )?}}float @fluxion.shfl.adjoint.up.2.4096.f32(i32 %mask, float %s.adj)

; CHECK-LABEL: define internal float @fluxion.shfl.adjoint.up.2.4096.f32(i32 %0, float %1)
; CHECK: %[[LANE:.*]] = call {{(reassoc nsz contract )?}}i32 @llvm.nvvm.read.ptx.sreg.laneid()
; CHECK-NEXT: %[[FIRST:.*]] = and i32 %[[LANE]], 16
; CHECK-NEXT: %[[SEGMENT:.*]] = shl i32 65535, %[[FIRST]]
; CHECK-NEXT: %[[IN:.*]] = and i32 %0, %[[SEGMENT]]
; CHECK-NEXT: %whole = icmp eq i32 %[[IN]], %[[SEGMENT]]
; CHECK-NEXT: %[[ALL:.*]] = call {{(reassoc nsz contract )?}}i1 @llvm.nvvm.vote.all.sync(i32 %0, i1 %whole)
; CHECK-NEXT: br i1 %[[ALL]], label %segments, label %lanes
; CHECK: segments:
; CHECK: call {{(reassoc nsz contract )?}}float @llvm.nvvm.shfl.sync.down.f32(i32 %0, float %1, i32 2, i32 4127)
; CHECK: lanes:
; CHECK: call {{(reassoc nsz contract )?}}float @fluxion.shfl.gather.f32(i32 %0, float %1, i32 %shfl.source)

; CHECK-LABEL: define internal { float } @fluxion.rev.quad.out(
; CHECK-NOT: shfl.sync.bfly
; CHECK: call {{(reassoc nsz contract )?}}float @fluxion.shfl.gather.f32(i32 15, float %s.adj, i32 %shfl.source)
