//===- RuntimeApi.cpp - The CUDA runtime API on host memory ---------------===//
//
// Device memory is host memory, so copies of every kind are memmove and
// managed, pinned and device allocations are the same thing. The device is
// an sm_90 with as many multiprocessors as the executor has OS threads.
// Events read the host clock; since launches are synchronous, the time
// between two events is the time of the work recorded between them.
//
//===----------------------------------------------------------------------===//

#include "Diagnostics.h"
#include "Executor.h"
#include "Fiber.h"
#include "Registry.h"

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <cuda_runtime_api.h>
#include <mutex>
#include <unistd.h>
#include <unordered_map>

using namespace fluxion::cudacpu;

namespace {

thread_local cudaError_t LastError = cudaSuccess;

/// Allocations made by cudaMalloc and friends, to reject freeing others.
struct Allocations {
  std::mutex Lock;
  std::unordered_map<void *, size_t> Sizes;
  size_t Total = 0;
};
Allocations &allocations() {
  static Allocations *A = new Allocations;
  return *A;
}

cudaError_t allocate(void **Ptr, size_t Size) {
  if (!Ptr)
    return recordError(cudaErrorInvalidValue);
  // GPU allocations are aligned to at least 256 bytes.
  void *P = nullptr;
  if (posix_memalign(&P, 256, Size ? Size : 1) != 0)
    return recordError(cudaErrorMemoryAllocation);
  Allocations &A = allocations();
  std::lock_guard<std::mutex> Guard(A.Lock);
  A.Sizes[P] = Size;
  A.Total += Size;
  *Ptr = P;
  return cudaSuccess;
}

cudaError_t release(void *Ptr) {
  if (!Ptr)
    return cudaSuccess;
  Allocations &A = allocations();
  {
    std::lock_guard<std::mutex> Guard(A.Lock);
    auto It = A.Sizes.find(Ptr);
    if (It == A.Sizes.end())
      return recordError(cudaErrorInvalidValue);
    A.Total -= It->second;
    A.Sizes.erase(It);
  }
  free(Ptr);
  return cudaSuccess;
}

size_t physicalMemory() {
  return size_t(sysconf(_SC_PHYS_PAGES)) * size_t(sysconf(_SC_PAGESIZE));
}

struct Event {
  std::chrono::steady_clock::time_point Time;
  bool Recorded = false;
};

cudaError_t symbolRange(const void *Symbol, size_t Count, size_t Offset,
                        char *&Address) {
  void *Base = nullptr;
  size_t Size = 0;
  if (!findVariable(Symbol, Base, Size))
    return recordError(cudaErrorInvalidSymbol);
  if (Offset > Size || Count > Size - Offset)
    return recordError(cudaErrorInvalidValue);
  Address = static_cast<char *>(Base) + Offset;
  return cudaSuccess;
}

} // namespace

namespace fluxion::cudacpu {
cudaError_t recordError(cudaError_t Error) {
  LastError = Error;
  return Error;
}
} // namespace fluxion::cudacpu

extern "C" {

cudaError_t cudaGetLastError(void) {
  cudaError_t E = LastError;
  LastError = cudaSuccess;
  return E;
}

cudaError_t cudaPeekAtLastError(void) { return LastError; }

const char *cudaGetErrorName(cudaError_t E) {
  switch (E) {
#define NAME(X)                                                                \
  case X:                                                                      \
    return #X;
    NAME(cudaSuccess)
    NAME(cudaErrorInvalidValue)
    NAME(cudaErrorMemoryAllocation)
    NAME(cudaErrorInvalidConfiguration)
    NAME(cudaErrorInvalidDevice)
    NAME(cudaErrorInvalidSymbol)
    NAME(cudaErrorInvalidDeviceFunction)
    NAME(cudaErrorInvalidResourceHandle)
    NAME(cudaErrorMissingConfiguration)
    NAME(cudaErrorNotReady)
    NAME(cudaErrorNotSupported)
#undef NAME
  default:
    return "cudaErrorUnknown";
  }
}

const char *cudaGetErrorString(cudaError_t E) {
  switch (E) {
  case cudaSuccess:
    return "no error";
  case cudaErrorInvalidValue:
    return "invalid argument";
  case cudaErrorMemoryAllocation:
    return "out of memory";
  case cudaErrorInvalidConfiguration:
    return "invalid configuration argument";
  case cudaErrorInvalidDevice:
    return "invalid device ordinal";
  case cudaErrorInvalidSymbol:
    return "invalid device symbol";
  case cudaErrorInvalidDeviceFunction:
    return "invalid device function";
  case cudaErrorInvalidResourceHandle:
    return "invalid resource handle";
  case cudaErrorMissingConfiguration:
    return "__global__ function call is not configured";
  case cudaErrorNotReady:
    return "device not ready";
  case cudaErrorNotSupported:
    return "operation not supported";
  default:
    return "unrecognized error code";
  }
}

cudaError_t cudaGetDeviceCount(int *Count) {
  *Count = 1;
  return cudaSuccess;
}

cudaError_t cudaGetDevice(int *Device) {
  *Device = 0;
  return cudaSuccess;
}

cudaError_t cudaSetDevice(int Device) {
  return Device == 0 ? cudaSuccess : recordError(cudaErrorInvalidDevice);
}

cudaError_t cudaSetDeviceFlags(unsigned) { return cudaSuccess; }
cudaError_t cudaDeviceSynchronize(void) { return cudaSuccess; }
cudaError_t cudaDeviceReset(void) { return cudaSuccess; }
cudaError_t cudaDeviceSetCacheConfig(cudaFuncCache) { return cudaSuccess; }

cudaError_t cudaDeviceSetLimit(cudaLimit Limit, size_t Value) {
  if (Limit == cudaLimitMallocHeapSize)
    setDeviceHeapLimit(Value);
  return cudaSuccess;
}

cudaError_t cudaDeviceGetLimit(size_t *Value, cudaLimit Limit) {
  *Value = Limit == cudaLimitStackSize        ? StackPool::stackSize()
           : Limit == cudaLimitMallocHeapSize ? deviceHeapLimit()
                                              : 8u << 20;
  return cudaSuccess;
}

cudaError_t cudaDriverGetVersion(int *Version) {
  *Version = CUDART_VERSION;
  return cudaSuccess;
}

cudaError_t cudaRuntimeGetVersion(int *Version) {
  *Version = CUDART_VERSION;
  return cudaSuccess;
}

cudaError_t cudaGetDeviceProperties(cudaDeviceProp *P, int Device) {
  if (Device != 0)
    return recordError(cudaErrorInvalidDevice);
  *P = cudaDeviceProp();
  strncpy(P->name, "Fluxion CPU executor", sizeof P->name - 1);
  P->totalGlobalMem = physicalMemory();
  P->sharedMemPerBlock = 48 * 1024;
  P->sharedMemPerBlockOptin = 227 * 1024;
  P->sharedMemPerMultiprocessor = 228 * 1024;
  P->regsPerBlock = P->regsPerMultiprocessor = 65536;
  P->warpSize = 32;
  P->memPitch = SIZE_MAX;
  P->maxThreadsPerBlock = 1024;
  P->maxThreadsDim[0] = P->maxThreadsDim[1] = 1024;
  P->maxThreadsDim[2] = 64;
  P->maxGridSize[0] = 0x7fffffff;
  P->maxGridSize[1] = P->maxGridSize[2] = 65535;
  P->totalConstMem = 64 * 1024;
  P->major = 9;
  P->minor = 0;
  P->multiProcessorCount = static_cast<int>(executorThreads());
  P->maxThreadsPerMultiProcessor = 2048;
  P->maxBlocksPerMultiProcessor = 32;
  P->integrated = 1;
  P->canMapHostMemory = 1;
  P->unifiedAddressing = 1;
  P->managedMemory = 1;
  P->concurrentManagedAccess = 1;
  P->pageableMemoryAccess = 1;
  P->hostNativeAtomicSupported = 1;
  P->textureAlignment = 512;
  return cudaSuccess;
}

cudaError_t cudaDeviceGetAttribute(int *Value, cudaDeviceAttr Attr,
                                   int Device) {
  cudaDeviceProp P;
  if (cudaError_t E = cudaGetDeviceProperties(&P, Device))
    return E;
  switch (Attr) {
  case cudaDevAttrMaxThreadsPerBlock:
    *Value = P.maxThreadsPerBlock;
    break;
  case cudaDevAttrMaxBlockDimX:
    *Value = P.maxThreadsDim[0];
    break;
  case cudaDevAttrMaxBlockDimY:
    *Value = P.maxThreadsDim[1];
    break;
  case cudaDevAttrMaxBlockDimZ:
    *Value = P.maxThreadsDim[2];
    break;
  case cudaDevAttrMaxGridDimX:
    *Value = P.maxGridSize[0];
    break;
  case cudaDevAttrMaxGridDimY:
    *Value = P.maxGridSize[1];
    break;
  case cudaDevAttrMaxGridDimZ:
    *Value = P.maxGridSize[2];
    break;
  case cudaDevAttrMaxSharedMemoryPerBlock:
    *Value = int(P.sharedMemPerBlock);
    break;
  case cudaDevAttrMaxSharedMemoryPerBlockOptin:
    *Value = int(P.sharedMemPerBlockOptin);
    break;
  case cudaDevAttrWarpSize:
    *Value = P.warpSize;
    break;
  case cudaDevAttrMultiProcessorCount:
    *Value = P.multiProcessorCount;
    break;
  case cudaDevAttrComputeCapabilityMajor:
    *Value = P.major;
    break;
  case cudaDevAttrComputeCapabilityMinor:
    *Value = P.minor;
    break;
  case cudaDevAttrMaxThreadsPerMultiProcessor:
    *Value = P.maxThreadsPerMultiProcessor;
    break;
  default:
    return recordError(cudaErrorInvalidValue);
  }
  return cudaSuccess;
}

cudaError_t cudaMemGetInfo(size_t *Free, size_t *Total) {
  *Total = physicalMemory();
  Allocations &A = allocations();
  std::lock_guard<std::mutex> Guard(A.Lock);
  *Free = A.Total < *Total ? *Total - A.Total : 0;
  return cudaSuccess;
}

cudaError_t cudaMalloc(void **Ptr, size_t Size) { return allocate(Ptr, Size); }
cudaError_t cudaMallocManaged(void **Ptr, size_t Size, unsigned) {
  return allocate(Ptr, Size);
}
cudaError_t cudaMallocHost(void **Ptr, size_t Size) {
  return allocate(Ptr, Size);
}
cudaError_t cudaHostAlloc(void **Ptr, size_t Size, unsigned) {
  return allocate(Ptr, Size);
}
cudaError_t cudaMallocPitch(void **Ptr, size_t *Pitch, size_t Width,
                            size_t Height) {
  *Pitch = (Width + 255) / 256 * 256;
  return allocate(Ptr, *Pitch * Height);
}
cudaError_t cudaFree(void *Ptr) { return release(Ptr); }
cudaError_t cudaFreeHost(void *Ptr) { return release(Ptr); }
// Streams run in order as they are called, so stream-ordered allocation is
// allocation.
cudaError_t cudaMallocAsync(void **Ptr, size_t Size, cudaStream_t) {
  return allocate(Ptr, Size);
}
cudaError_t cudaFreeAsync(void *Ptr, cudaStream_t) { return release(Ptr); }

cudaError_t cudaHostRegister(void *, size_t, unsigned) { return cudaSuccess; }
cudaError_t cudaHostUnregister(void *) { return cudaSuccess; }
cudaError_t cudaHostGetDevicePointer(void **Device, void *Host, unsigned) {
  *Device = Host;
  return cudaSuccess;
}

cudaError_t cudaMemcpy(void *Dst, const void *Src, size_t Count,
                       cudaMemcpyKind) {
  if (Count && (!Dst || !Src))
    return recordError(cudaErrorInvalidValue);
  memmove(Dst, Src, Count);
  return cudaSuccess;
}

cudaError_t cudaMemcpyAsync(void *Dst, const void *Src, size_t Count,
                            cudaMemcpyKind Kind, cudaStream_t) {
  return cudaMemcpy(Dst, Src, Count, Kind);
}

cudaError_t cudaMemcpy2D(void *Dst, size_t DPitch, const void *Src,
                         size_t SPitch, size_t Width, size_t Height,
                         cudaMemcpyKind) {
  if (Width > DPitch || Width > SPitch)
    return recordError(cudaErrorInvalidValue);
  for (size_t Row = 0; Row < Height; ++Row)
    memmove(static_cast<char *>(Dst) + Row * DPitch,
            static_cast<const char *>(Src) + Row * SPitch, Width);
  return cudaSuccess;
}

cudaError_t cudaMemset(void *Ptr, int Value, size_t Count) {
  if (Count && !Ptr)
    return recordError(cudaErrorInvalidValue);
  memset(Ptr, Value, Count);
  return cudaSuccess;
}

cudaError_t cudaMemsetAsync(void *Ptr, int Value, size_t Count, cudaStream_t) {
  return cudaMemset(Ptr, Value, Count);
}

cudaError_t cudaMemcpyToSymbol(const void *Symbol, const void *Src,
                               size_t Count, size_t Offset, cudaMemcpyKind) {
  char *Address;
  if (cudaError_t E = symbolRange(Symbol, Count, Offset, Address))
    return E;
  memmove(Address, Src, Count);
  return cudaSuccess;
}

cudaError_t cudaMemcpyFromSymbol(void *Dst, const void *Symbol, size_t Count,
                                 size_t Offset, cudaMemcpyKind) {
  char *Address;
  if (cudaError_t E = symbolRange(Symbol, Count, Offset, Address))
    return E;
  memmove(Dst, Address, Count);
  return cudaSuccess;
}

cudaError_t cudaMemcpyToSymbolAsync(const void *Symbol, const void *Src,
                                    size_t Count, size_t Offset,
                                    cudaMemcpyKind Kind, cudaStream_t) {
  return cudaMemcpyToSymbol(Symbol, Src, Count, Offset, Kind);
}

cudaError_t cudaMemcpyFromSymbolAsync(void *Dst, const void *Symbol,
                                      size_t Count, size_t Offset,
                                      cudaMemcpyKind Kind, cudaStream_t) {
  return cudaMemcpyFromSymbol(Dst, Symbol, Count, Offset, Kind);
}

cudaError_t cudaGetSymbolAddress(void **Ptr, const void *Symbol) {
  size_t Size;
  if (!findVariable(Symbol, *Ptr, Size))
    return recordError(cudaErrorInvalidSymbol);
  return cudaSuccess;
}

cudaError_t cudaGetSymbolSize(size_t *Size, const void *Symbol) {
  void *Ptr;
  if (!findVariable(Symbol, Ptr, *Size))
    return recordError(cudaErrorInvalidSymbol);
  return cudaSuccess;
}

cudaError_t cudaStreamCreate(cudaStream_t *Stream) {
  *Stream = reinterpret_cast<cudaStream_t>(new char);
  return cudaSuccess;
}

cudaError_t cudaStreamCreateWithFlags(cudaStream_t *Stream, unsigned) {
  return cudaStreamCreate(Stream);
}

cudaError_t cudaStreamCreateWithPriority(cudaStream_t *Stream, unsigned, int) {
  return cudaStreamCreate(Stream);
}

cudaError_t cudaStreamDestroy(cudaStream_t Stream) {
  delete reinterpret_cast<char *>(Stream);
  return cudaSuccess;
}

cudaError_t cudaStreamSynchronize(cudaStream_t) { return cudaSuccess; }
cudaError_t cudaStreamQuery(cudaStream_t) { return cudaSuccess; }
cudaError_t cudaStreamWaitEvent(cudaStream_t, cudaEvent_t, unsigned) {
  return cudaSuccess;
}

cudaError_t cudaEventCreate(cudaEvent_t *E) {
  *E = reinterpret_cast<cudaEvent_t>(new Event);
  return cudaSuccess;
}

cudaError_t cudaEventCreateWithFlags(cudaEvent_t *E, unsigned) {
  return cudaEventCreate(E);
}

cudaError_t cudaEventDestroy(cudaEvent_t E) {
  delete reinterpret_cast<Event *>(E);
  return cudaSuccess;
}

cudaError_t cudaEventRecord(cudaEvent_t E, cudaStream_t) {
  if (!E)
    return recordError(cudaErrorInvalidResourceHandle);
  auto *Ev = reinterpret_cast<Event *>(E);
  Ev->Time = std::chrono::steady_clock::now();
  Ev->Recorded = true;
  return cudaSuccess;
}

cudaError_t cudaEventSynchronize(cudaEvent_t) { return cudaSuccess; }
cudaError_t cudaEventQuery(cudaEvent_t) { return cudaSuccess; }

cudaError_t cudaEventElapsedTime(float *Ms, cudaEvent_t Start,
                                 cudaEvent_t End) {
  auto *S = reinterpret_cast<Event *>(Start);
  auto *F = reinterpret_cast<Event *>(End);
  if (!S || !F)
    return recordError(cudaErrorInvalidResourceHandle);
  if (!S->Recorded || !F->Recorded)
    return recordError(cudaErrorInvalidResourceHandle);
  *Ms = std::chrono::duration<float, std::milli>(F->Time - S->Time).count();
  return cudaSuccess;
}

} // extern "C"
