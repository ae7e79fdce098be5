// Reverse mode of a GPU block reduction: a device function in a gpu.module
// reads one element per thread, sums sin(x)^2 over the block in workgroup
// memory with a tree of barriers, and thread 0 writes the block's sum. A
// kernel asks for its gradient with fluxion.autodiff. The derivative lives
// in the gpu.module under a name PTX accepts; the workgroup buffer gets a
// shadow in workgroup memory that the threads zero together before a
// barrier; each thread caches its loop's scalars on its own stack; the
// reverse loop mirrors the barrier; adjoints go to the workgroup shadow
// and to x's shadow atomically, since other threads add to the same
// elements. Forward mode carries tangents through the same workgroup
// buffer's shadow. Lowered through NVVM for sm_90, ptxas assembles both.
// REQUIRES: mlir
// RUN: %fluxion-opt --fluxion-differentiate %s | %FileCheck %s
// RUN: %if ptxas %{ %fluxion-opt --fluxion-differentiate --gpu-lower-to-nvvm-pipeline="cubin-chip=sm_90 cubin-features=+ptx80 cubin-format=isa" %s | %gpu-object assembly > %t.ptx %}
// RUN: %if ptxas %{ %FileCheck --check-prefix=PTX %s < %t.ptx %}
// RUN: %if ptxas %{ %ptxas -arch=sm_90 %t.ptx -o %t.cubin %}

module attributes {gpu.container_module} {
  gpu.module @kernels {
    memref.global "private" @partial : memref<256xf32, #gpu.address_space<workgroup>>

    func.func @block_energy(%x: memref<?xf32>, %out: memref<?xf32>) {
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %c8 = arith.constant 8 : index
      %c128 = arith.constant 128 : index
      %tid = gpu.thread_id x
      %bid = gpu.block_id x
      %bdim = gpu.block_dim x
      %base = arith.muli %bid, %bdim : index
      %i = arith.addi %base, %tid : index
      %v = memref.load %x[%i] : memref<?xf32>
      %s = math.sin %v : f32
      %sq = arith.mulf %s, %s : f32
      %smem = memref.get_global @partial : memref<256xf32, #gpu.address_space<workgroup>>
      memref.store %sq, %smem[%tid] : memref<256xf32, #gpu.address_space<workgroup>>
      gpu.barrier
      scf.for %k = %c0 to %c8 step %c1 {
        %stride = arith.shrui %c128, %k : index
        %active = arith.cmpi ult, %tid, %stride : index
        scf.if %active {
          %j = arith.addi %tid, %stride : index
          %a = memref.load %smem[%tid] : memref<256xf32, #gpu.address_space<workgroup>>
          %b = memref.load %smem[%j] : memref<256xf32, #gpu.address_space<workgroup>>
          %t = arith.addf %a, %b : f32
          memref.store %t, %smem[%tid] : memref<256xf32, #gpu.address_space<workgroup>>
        }
        gpu.barrier
      }
      %first = arith.cmpi eq, %tid, %c0 : index
      scf.if %first {
        %total = memref.load %smem[%c0] : memref<256xf32, #gpu.address_space<workgroup>>
        memref.store %total, %out[%bid] : memref<?xf32>
      }
      return
    }

    gpu.func @energy_gradient(%x: memref<?xf32>, %dx: memref<?xf32>, %out: memref<?xf32>, %dout: memref<?xf32>) kernel {
      "fluxion.autodiff"(%x, %dx, %out, %dout) {callee = @block_energy, activity = ["dup", "dup"]} : (memref<?xf32>, memref<?xf32>, memref<?xf32>, memref<?xf32>) -> ()
      gpu.return
    }

    // Forward mode: the tangent of each block's sum, for the direction dx.
    gpu.func @energy_tangent(%x: memref<?xf32>, %dx: memref<?xf32>, %out: memref<?xf32>, %dout: memref<?xf32>) kernel {
      "fluxion.fwddiff"(%x, %dx, %out, %dout) {callee = @block_energy, activity = ["dup", "dup"]} : (memref<?xf32>, memref<?xf32>, memref<?xf32>, memref<?xf32>) -> ()
      gpu.return
    }
  }
}

// CHECK: memref.global "private" @partial_fluxion_shadow : memref<256xf32, #gpu.address_space<workgroup>>
// CHECK-LABEL: gpu.func @energy_gradient(
// CHECK: call @fluxion_grad_block_energy_dup_dup(
// CHECK-LABEL: func.func private @fluxion_grad_block_energy_dup_dup(
// CHECK: %[[SHADOW:.*]] = memref.get_global @partial_fluxion_shadow
// CHECK: scf.for
// CHECK: memref.store %{{.*}}, %[[SHADOW]]
// CHECK: gpu.barrier
// CHECK: memref.alloca(%{{.*}}) : memref<?xf32>
// CHECK: scf.for
// CHECK: scf.if
// CHECK: gpu.barrier
// CHECK: memref.store
// The reverse loop: the mirrored barrier, then the adjoints of the two
// reads of the tree step.
// CHECK: scf.for
// CHECK: gpu.barrier
// CHECK: scf.if
// CHECK: memref.atomic_rmw addf %{{.*}}, %[[SHADOW]]
// CHECK: memref.atomic_rmw addf %{{.*}}, %[[SHADOW]]
// CHECK: gpu.barrier
// CHECK: math.cos
// CHECK: memref.atomic_rmw addf %{{.*}}, %arg1
// CHECK: return
// CHECK-LABEL: func.func private @fluxion_fwd_block_energy_dup_dup(
// CHECK: memref.get_global @partial_fluxion_shadow
// CHECK: gpu.barrier
// CHECK: scf.for

// PTX: .shared .align 4 .b8 partial_fluxion_shadow[1024];
// PTX: .visible .entry energy_gradient(
// PTX: .visible .entry energy_tangent(
// PTX: .func fluxion_grad_block_energy_dup_dup(
// PTX: bar.sync
// PTX: atom.shared.add.f32
// PTX: atom.add.f32
// PTX: .func fluxion_fwd_block_energy_dup_dup(
