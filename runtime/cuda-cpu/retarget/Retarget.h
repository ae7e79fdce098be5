//===- Retarget.h - Steps that turn an NVPTX module into a host module ----===//
//
// fluxion-cuda-retarget runs these in order on the module produced by
// clang's CUDA device compile. Each step reports unsupported input through
// RetargetError so that the driver prints one clear message and stops.
//
//===----------------------------------------------------------------------===//

#ifndef FLUXION_CUDA_CPU_RETARGET_H
#define FLUXION_CUDA_CPU_RETARGET_H

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>

namespace llvm {
class Function;
class Module;
} // namespace llvm

namespace fluxion::cudacpu {

/// An error naming what the device module uses that the CPU executor cannot
/// run, and where.
llvm::Error retargetError(const llvm::Twine &Message);

/// Per-block shared memory layout chosen by lowerSharedMemory.
struct SharedLayout {
  uint64_t StaticBytes = 0;
  uint64_t DynamicOffset = 0;
  /// Static shared bytes each kernel, by name, reaches through its calls.
  llvm::StringMap<uint64_t> KernelStaticBytes;
};

/// True for functions that clang emitted as __global__ kernels.
bool isKernel(const llvm::Function &F);

/// Replaces every addrspace(3) global by an offset from the calling block's
/// shared memory base. Runs on the NVPTX module.
llvm::Expected<SharedLayout> lowerSharedMemory(llvm::Module &M);

/// Copies the module into a new one in which every pointer is in address
/// space 0, as the host has only one.
llvm::Expected<std::unique_ptr<llvm::Module>>
flattenAddressSpaces(llvm::Module &M);

/// Replaces the inline PTX templates of libdevice and the CUDA headers by
/// host IR; any other inline PTX is an error.
llvm::Error lowerInlineAsm(llvm::Module &M);

/// Replaces NVVM intrinsics by host IR or calls into the runtime.
llvm::Error lowerNvvmIntrinsics(llvm::Module &M);

/// Emits kernel entry points, the kernel and variable tables and the
/// constructor that registers them, then makes the module a self-contained
/// x86-64 object: only the constructor is left visible to the linker.
llvm::Error finishHostModule(llvm::Module &M, const SharedLayout &Layout,
                             llvm::StringRef Token);

} // namespace fluxion::cudacpu

#endif // FLUXION_CUDA_CPU_RETARGET_H
