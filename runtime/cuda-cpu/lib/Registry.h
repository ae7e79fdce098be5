//===- Registry.h - Kernels and device variables by host address ----------===//
//
// The host object names kernels and variables through the addresses of its
// stubs and shadow variables, registered by clang's module constructor with
// the handle of its stand-in GPU binary. The device object registers its
// entry points by name under the token that binary carries. The two meet
// lazily, at the first launch or symbol copy, so constructor order does not
// matter.
//
//===----------------------------------------------------------------------===//

#ifndef FLUXION_CUDA_CPU_REGISTRY_H
#define FLUXION_CUDA_CPU_REGISTRY_H

#include "../DeviceAbi.h"

#include <cstddef>
#include <driver_types.h>

namespace fluxion::cudacpu {

struct KernelRecord {
  const char *Name = nullptr;
  const FxcpuKernelInfo *Info = nullptr;
  const FxcpuModuleInfo *Module = nullptr;
  /// cudaFuncAttributeMaxDynamicSharedMemorySize, 0 when never set.
  int MaxDynamicShared = 0;
};

/// The kernel whose host stub is HostFunction, or null.
KernelRecord *findKernel(const void *HostFunction);

/// Device address and size of the variable whose host shadow is HostVar;
/// false when none is registered.
bool findVariable(const void *HostVar, void *&Address, size_t &Size);

/// Records Error as the thread's last error and returns it.
cudaError_t recordError(cudaError_t Error);

} // namespace fluxion::cudacpu

#endif // FLUXION_CUDA_CPU_REGISTRY_H
