// A GPU block reduction in the GPU dialect, differentiated in both modes
// by fluxion-opt and run on the CPU executor (gpu_reduce.cu launches the
// kernels; see CMakeLists.txt for the pipeline). block_energy writes, per
// block, the sum of sin(x)^2 over its threads, reduced in workgroup memory
// with a tree of barriers.
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

    gpu.func @energy(%x: memref<?xf32>, %out: memref<?xf32>) kernel {
      func.call @block_energy(%x, %out) : (memref<?xf32>, memref<?xf32>) -> ()
      gpu.return
    }

    // The adjoints of the block sums in dout are added to dx.
    gpu.func @energy_gradient(%x: memref<?xf32>, %dx: memref<?xf32>, %out: memref<?xf32>, %dout: memref<?xf32>) kernel {
      "fluxion.autodiff"(%x, %dx, %out, %dout) {callee = @block_energy, activity = ["dup", "dup"]} : (memref<?xf32>, memref<?xf32>, memref<?xf32>, memref<?xf32>) -> ()
      gpu.return
    }

    // The tangents of the block sums, for the direction dx, go to dout.
    gpu.func @energy_tangent(%x: memref<?xf32>, %dx: memref<?xf32>, %out: memref<?xf32>, %dout: memref<?xf32>) kernel {
      "fluxion.fwddiff"(%x, %dx, %out, %dout) {callee = @block_energy, activity = ["dup", "dup"]} : (memref<?xf32>, memref<?xf32>, memref<?xf32>, memref<?xf32>) -> ()
      gpu.return
    }
  }
}
