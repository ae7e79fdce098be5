//===- DeviceCalls.cpp - What retargeted device code calls ----------------===//
//
// The entry points of DeviceAbi.h that stand for GPU hardware: special
// registers, shared memory, barriers, warp collectives, clocks and the
// device heap.
//
//===----------------------------------------------------------------------===//

#include "../DeviceAbi.h"
#include "BlockScheduler.h"
#include "Diagnostics.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <x86intrin.h>

using namespace fluxion::cudacpu;

namespace {
/// Bytes the device heap may hold, and holds (cudaLimitMallocHeapSize).
std::atomic<size_t> HeapLimit{size_t(8) << 20};
std::atomic<size_t> HeapUsed{0};
/// Each device allocation starts with its size, kept in a header that
/// leaves the returned memory aligned as malloc's.
constexpr size_t HeapHeader = 16;

BlockScheduler &scheduler(const char *What) {
  BlockScheduler *S = BlockScheduler::active();
  if (!S)
    fatal("%s called outside a kernel", What);
  return *S;
}
} // namespace

extern "C" {

uint32_t __fxcpu_sreg(uint32_t Which) {
  return scheduler("threadIdx/blockIdx").specialRegister(Which);
}

void *__fxcpu_shared_base(void) {
  return scheduler("__shared__ access").sharedBase();
}

void *__fxcpu_reserved_shared(void) {
  return scheduler("cooperative groups").reservedShared();
}

void __fxcpu_yield(void) { scheduler("memory acquire").yield(); }

void __fxcpu_syncthreads(void) {
  scheduler("__syncthreads").syncThreads(FXCPU_RED_POPC, false);
}

int32_t __fxcpu_syncthreads_reduce(uint32_t Op, int32_t Pred) {
  return scheduler("__syncthreads_count").syncThreads(Op, Pred != 0);
}

void __fxcpu_syncwarp(uint32_t Mask) {
  scheduler("__syncwarp").warpCollective(WarpOp::Sync, 0, Mask, 0, 0, 0);
}

uint64_t __fxcpu_shfl(uint32_t Mode, uint32_t Mask, uint32_t Value,
                      uint32_t LaneOrDelta, uint32_t Clamp) {
  return scheduler("__shfl_sync")
      .warpCollective(WarpOp::Shfl, Mode, Mask, Value, LaneOrDelta, Clamp);
}

uint32_t __fxcpu_vote(uint32_t Mode, uint32_t Mask, int32_t Pred) {
  return static_cast<uint32_t>(
      scheduler("warp vote")
          .warpCollective(WarpOp::Vote, Mode, Mask, Pred != 0, 0, 0));
}

uint32_t __fxcpu_activemask(void) {
  return scheduler("__activemask").activeMask();
}

uint32_t __fxcpu_match_any(uint32_t Mask, uint64_t Value) {
  return static_cast<uint32_t>(
      scheduler("__match_any_sync")
          .warpCollective(WarpOp::MatchAny, 0, Mask, Value, 0, 0));
}

uint64_t __fxcpu_match_all(uint32_t Mask, uint64_t Value) {
  return scheduler("__match_all_sync")
      .warpCollective(WarpOp::MatchAll, 0, Mask, Value, 0, 0);
}

uint32_t __fxcpu_redux(uint32_t Op, uint32_t Mask, uint32_t Value) {
  return static_cast<uint32_t>(
      scheduler("__reduce_*_sync")
          .warpCollective(WarpOp::Redux, Op, Mask, Value, 0, 0));
}

uint64_t __fxcpu_clock64(void) { return __rdtsc(); }

uint64_t __fxcpu_globaltimer(void) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void __fxcpu_assertfail(const char *Message, const char *File, uint32_t Line,
                        const char *Function, uint64_t) {
  char Where[256] = "";
  if (BlockScheduler *S = BlockScheduler::active())
    S->describe(Where, sizeof Where);
  fflush(stdout);
  fprintf(stderr, "%s:%u: %s: %s: Assertion `%s` failed.\n", File, Line,
          Function, Where, Message);
  abort();
}

/// isspacep: only shared memory is told apart; everything else the kernel
/// can point to is global memory on the host.
bool __fxcpu_nvvm_isspacep_shared(const void *P) {
  BlockScheduler *S = BlockScheduler::active();
  auto *C = static_cast<const char *>(P);
  return S && C >= static_cast<const char *>(S->sharedBase()) &&
         C < static_cast<const char *>(S->sharedBase()) + S->sharedSize();
}

bool __fxcpu_nvvm_isspacep_global(const void *P) {
  return !__fxcpu_nvvm_isspacep_shared(P);
}

void *__fxcpu_malloc(uint64_t Size) {
  size_t Used = HeapUsed.fetch_add(Size) + Size;
  if (Used > HeapLimit.load()) {
    HeapUsed.fetch_sub(Size);
    return nullptr;
  }
  auto *Block = static_cast<char *>(malloc(HeapHeader + Size));
  if (!Block) {
    HeapUsed.fetch_sub(Size);
    return nullptr;
  }
  *reinterpret_cast<uint64_t *>(Block) = Size;
  return Block + HeapHeader;
}

void __fxcpu_free(void *P) {
  if (!P)
    return;
  char *Block = static_cast<char *>(P) - HeapHeader;
  HeapUsed.fetch_sub(*reinterpret_cast<uint64_t *>(Block));
  free(Block);
}

bool __fxcpu_nvvm_isspacep_local(const void *) { return false; }
bool __fxcpu_nvvm_isspacep_const(const void *) { return false; }

} // extern "C"

namespace fluxion::cudacpu {
void setDeviceHeapLimit(size_t Bytes) { HeapLimit.store(Bytes); }
size_t deviceHeapLimit() { return HeapLimit.load(); }
} // namespace fluxion::cudacpu
