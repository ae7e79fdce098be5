//===- DeviceAbi.h - Contract between retargeted kernels and runtime ------===//
//
// The retargeting tool rewrites an NVPTX device module so that everything a
// GPU provides in hardware becomes a call into libfluxion_cuda_cpu. This
// header is the single description of those calls and of the tables that a
// retargeted module registers, shared by the tool (which emits IR for them)
// and by the runtime (which implements them).
//
//===----------------------------------------------------------------------===//

#ifndef FLUXION_CUDA_CPU_DEVICEABI_H
#define FLUXION_CUDA_CPU_DEVICEABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Bumped whenever a table layout or a runtime entry point changes, so that an
/// object built by an older tool is rejected instead of misread.
#define FXCPU_ABI_VERSION 1

/// The fake GPU binary embedded in the host object starts with this prefix,
/// followed by the module token that the device table carries as well.
#define FXCPU_FATBIN_PREFIX "FXCPU1:"

typedef struct FxcpuKernelInfo {
  const char *Name;
  /// Unpacks the argument array of cudaLaunchKernel and calls the kernel.
  void (*Entry)(void **Args);
  /// Static __shared__ bytes reachable from the kernel (for limit checks).
  uint64_t StaticSharedBytes;
} FxcpuKernelInfo;

typedef struct FxcpuVarInfo {
  const char *Name;
  void *Address;
  uint64_t Size;
} FxcpuVarInfo;

typedef struct FxcpuModuleInfo {
  uint32_t AbiVersion;
  uint32_t NumKernels;
  uint32_t NumVars;
  uint32_t Reserved;
  const char *Token;
  const FxcpuKernelInfo *Kernels;
  const FxcpuVarInfo *Vars;
  /// Bytes of all static __shared__ variables of the module; every block gets
  /// its own copy of this layout.
  uint64_t StaticSharedBytes;
  /// Offset of `extern __shared__` arrays in the per-block shared area.
  uint64_t DynamicSharedOffset;
} FxcpuModuleInfo;

/// Special registers read through __fxcpu_sreg.
enum FxcpuSreg {
  FXCPU_SREG_TID_X,
  FXCPU_SREG_TID_Y,
  FXCPU_SREG_TID_Z,
  FXCPU_SREG_NTID_X,
  FXCPU_SREG_NTID_Y,
  FXCPU_SREG_NTID_Z,
  FXCPU_SREG_CTAID_X,
  FXCPU_SREG_CTAID_Y,
  FXCPU_SREG_CTAID_Z,
  FXCPU_SREG_NCTAID_X,
  FXCPU_SREG_NCTAID_Y,
  FXCPU_SREG_NCTAID_Z,
  FXCPU_SREG_LANEID,
  FXCPU_SREG_WARPID,
  FXCPU_SREG_NWARPID,
  FXCPU_SREG_DYNAMIC_SMEM_SIZE,
  FXCPU_SREG_TOTAL_SMEM_SIZE,
};

/// Modes of __fxcpu_shfl, as in PTX shfl.sync.
enum FxcpuShflMode {
  FXCPU_SHFL_IDX,
  FXCPU_SHFL_UP,
  FXCPU_SHFL_DOWN,
  FXCPU_SHFL_BFLY,
};

enum FxcpuVoteMode {
  FXCPU_VOTE_ALL,
  FXCPU_VOTE_ANY,
  FXCPU_VOTE_UNI,
  FXCPU_VOTE_BALLOT,
};

/// Reductions of __fxcpu_redux (redux.sync) and __fxcpu_syncthreads_reduce.
enum FxcpuReduceOp {
  FXCPU_RED_ADD,
  FXCPU_RED_MIN,
  FXCPU_RED_MAX,
  FXCPU_RED_UMIN,
  FXCPU_RED_UMAX,
  FXCPU_RED_AND,
  FXCPU_RED_OR,
  FXCPU_RED_XOR,
  FXCPU_RED_POPC,
};

void __fxcpu_register_module(const FxcpuModuleInfo *Module);

/// Constant for the lifetime of one thread's kernel invocation, which lets
/// the tool declare it memory(none).
uint32_t __fxcpu_sreg(uint32_t Which);
/// Base of the calling block's shared memory area.
void *__fxcpu_shared_base(void);
/// The block's reserved shared memory (%reserved_smem_offset_1), which
/// cooperative groups use as scratch space.
void *__fxcpu_reserved_shared(void);

/// Bytes of reserved shared memory per block, as on sm_80 and later.
#define FXCPU_RESERVED_SHARED_BYTES 1024

void __fxcpu_syncthreads(void);
/// Lets the other threads of the block run first; called before loads that
/// wait for another thread (cooperative groups' spinning barriers).
void __fxcpu_yield(void);
/// __syncthreads_count/_and/_or: reduces Pred over the block (POPC, AND, OR).
int32_t __fxcpu_syncthreads_reduce(uint32_t Op, int32_t Pred);
void __fxcpu_syncwarp(uint32_t Mask);
/// Returns the shuffled 32-bit value in the low half and the PTX predicate
/// (source lane in range) in bit 32.
uint64_t __fxcpu_shfl(uint32_t Mode, uint32_t Mask, uint32_t Value,
                      uint32_t LaneOrDelta, uint32_t Clamp);
uint32_t __fxcpu_vote(uint32_t Mode, uint32_t Mask, int32_t Pred);
uint32_t __fxcpu_activemask(void);
uint32_t __fxcpu_match_any(uint32_t Mask, uint64_t Value);
/// Returns the lane mask in the low half and the predicate in bit 32.
uint64_t __fxcpu_match_all(uint32_t Mask, uint64_t Value);
uint32_t __fxcpu_redux(uint32_t Op, uint32_t Mask, uint32_t Value);

uint64_t __fxcpu_clock64(void);
uint64_t __fxcpu_globaltimer(void);
int32_t __fxcpu_vprintf(const char *Format, const void *Args);
/// Device malloc and free: a heap of cudaLimitMallocHeapSize bytes (8 MiB
/// unless set), null when it is used up, as on the GPU.
void *__fxcpu_malloc(uint64_t Size);
void __fxcpu_free(void *P);
void __fxcpu_assertfail(const char *Message, const char *File, uint32_t Line,
                        const char *Function, uint64_t CharSize);

#ifdef __cplusplus
}
#endif

#endif // FLUXION_CUDA_CPU_DEVICEABI_H
