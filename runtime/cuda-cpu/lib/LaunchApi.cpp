//===- LaunchApi.cpp - Kernel launches and kernel attributes --------------===//
//
// Launches run to completion before cudaLaunchKernel returns: every stream
// is synchronous, which is one of the orders the CUDA model allows.
//
//===----------------------------------------------------------------------===//

#include "Executor.h"
#include "Registry.h"

#include <cuda_runtime_api.h>
#include <vector>

using namespace fluxion::cudacpu;

namespace {

constexpr size_t DefaultSharedLimit = 48 * 1024;
/// sharedMemPerBlockOptin of the sm_90 device the executor presents.
constexpr size_t OptInSharedLimit = 227 * 1024;

struct CallConfig {
  dim3 Grid, Block;
  size_t Shared;
  void *Stream;
};
thread_local std::vector<CallConfig> Configs;

bool validShape(dim3 Grid, dim3 Block) {
  if (Block.x == 0 || Block.y == 0 || Block.z == 0 || Grid.x == 0 ||
      Grid.y == 0 || Grid.z == 0)
    return false;
  if (Block.x > 1024 || Block.y > 1024 || Block.z > 64 ||
      uint64_t(Block.x) * Block.y * Block.z > 1024)
    return false;
  return Grid.x <= 0x7fffffffu && Grid.y <= 65535 && Grid.z <= 65535;
}

} // namespace

extern "C" {

unsigned __cudaPushCallConfiguration(dim3 Grid, dim3 Block, size_t Shared,
                                     void *Stream) {
  Configs.push_back({Grid, Block, Shared, Stream});
  return 0;
}

cudaError_t __cudaPopCallConfiguration(dim3 *Grid, dim3 *Block, size_t *Shared,
                                       void *Stream) {
  if (Configs.empty())
    return cudaErrorMissingConfiguration;
  CallConfig C = Configs.back();
  Configs.pop_back();
  *Grid = C.Grid;
  *Block = C.Block;
  *Shared = C.Shared;
  *static_cast<void **>(Stream) = C.Stream;
  return cudaSuccess;
}

cudaError_t cudaLaunchKernel(const void *Func, dim3 Grid, dim3 Block,
                             void **Args, size_t DynamicShared, cudaStream_t) {
  KernelRecord *K = findKernel(Func);
  if (!K)
    return recordError(cudaErrorInvalidDeviceFunction);
  if (!validShape(Grid, Block))
    return recordError(cudaErrorInvalidConfiguration);
  bool TooMuchShared =
      K->MaxDynamicShared
          ? DynamicShared > size_t(K->MaxDynamicShared)
          : K->Info->StaticSharedBytes + DynamicShared > DefaultSharedLimit;
  if (TooMuchShared)
    return recordError(cudaErrorInvalidValue);

  Launch L;
  L.KernelName = K->Name;
  L.Entry = K->Info->Entry;
  L.Args = Args;
  L.Grid = {Grid.x, Grid.y, Grid.z};
  L.Block = {Block.x, Block.y, Block.z};
  L.SharedBytes =
      std::max<size_t>(K->Module->StaticSharedBytes,
                       K->Module->DynamicSharedOffset + DynamicShared);
  L.DynamicSharedBytes = DynamicShared;
  runLaunch(L);
  return cudaSuccess;
}

cudaError_t cudaFuncSetAttribute(const void *Func, cudaFuncAttribute Attr,
                                 int Value) {
  KernelRecord *K = findKernel(Func);
  if (!K)
    return recordError(cudaErrorInvalidDeviceFunction);
  if (Attr == cudaFuncAttributeMaxDynamicSharedMemorySize) {
    if (Value < 0 ||
        K->Info->StaticSharedBytes + size_t(Value) > OptInSharedLimit)
      return recordError(cudaErrorInvalidValue);
    K->MaxDynamicShared = Value;
  }
  return cudaSuccess;
}

cudaError_t cudaFuncGetAttributes(cudaFuncAttributes *Attr, const void *Func) {
  KernelRecord *K = findKernel(Func);
  if (!K)
    return recordError(cudaErrorInvalidDeviceFunction);
  *Attr = cudaFuncAttributes();
  Attr->sharedSizeBytes = K->Info->StaticSharedBytes;
  Attr->maxThreadsPerBlock = 1024;
  Attr->numRegs = 32;
  Attr->ptxVersion = 90;
  Attr->binaryVersion = 90;
  Attr->maxDynamicSharedSizeBytes =
      K->MaxDynamicShared
          ? K->MaxDynamicShared
          : int(DefaultSharedLimit - K->Info->StaticSharedBytes);
  return cudaSuccess;
}

cudaError_t cudaFuncSetCacheConfig(const void *Func, cudaFuncCache) {
  return findKernel(Func) ? cudaSuccess
                          : recordError(cudaErrorInvalidDeviceFunction);
}

cudaError_t cudaOccupancyMaxActiveBlocksPerMultiprocessor(int *NumBlocks,
                                                          const void *Func,
                                                          int BlockSize,
                                                          size_t) {
  if (!findKernel(Func))
    return recordError(cudaErrorInvalidDeviceFunction);
  *NumBlocks = BlockSize > 0 ? std::max(1, 2048 / BlockSize) : 0;
  return cudaSuccess;
}

} // extern "C"
