//===- Executor.h - Runs kernel launches on CPU threads and fibers --------===//
//
// A launch's blocks are shared out among a pool of OS threads. Each OS thread
// runs one block at a time: the block's threads are fibers, scheduled
// cooperatively in thread-index order, and every __syncthreads() or warp
// collective is a point where a fiber hands the OS thread to the next one.
//
//===----------------------------------------------------------------------===//

#ifndef FLUXION_CUDA_CPU_EXECUTOR_H
#define FLUXION_CUDA_CPU_EXECUTOR_H

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace fluxion::cudacpu {

struct Dim3 {
  uint32_t X = 1, Y = 1, Z = 1;
  uint64_t count() const { return uint64_t(X) * Y * Z; }
};

/// One kernel launch, shared by every OS thread that runs its blocks.
struct Launch {
  const char *KernelName = nullptr;
  void (*Entry)(void **Args) = nullptr;
  void **Args = nullptr;
  Dim3 Grid, Block;
  /// Bytes of the per-block shared area: static variables, then dynamic.
  size_t SharedBytes = 0;
  /// Bytes of dynamic shared memory the launch asked for.
  size_t DynamicSharedBytes = 0;
  std::atomic<uint64_t> NextBlock{0};
};

/// Runs every block of L and returns when all have finished.
void runLaunch(Launch &L);

/// Number of OS threads that run blocks (FLUXION_CUDA_CPU_THREADS or the
/// hardware concurrency).
unsigned executorThreads();

/// The device heap's size (cudaLimitMallocHeapSize).
void setDeviceHeapLimit(size_t Bytes);
size_t deviceHeapLimit();

/// Shared area of the block running on this OS thread, or null outside one.
const void *currentSharedBase();
size_t currentSharedSize();

} // namespace fluxion::cudacpu

#endif // FLUXION_CUDA_CPU_EXECUTOR_H
