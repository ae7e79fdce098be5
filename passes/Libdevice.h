//===- Libdevice.h - CUDA's libdevice math under differentiation -*- C++
//-*-===//
//
// In device compiles clang links libdevice, whose __nv_sin, __nv_exp, ...
// bodies are bit-twiddling on NVVM intrinsics that have no useful
// derivative. Their calls are therefore kept out of the inliner until Fluxion
// has run, differentiated with the rule of the libm function of the same
// name, and inlined afterwards as usual. The partial derivatives themselves
// are written with LLVM math intrinsics, which become libdevice calls too.
//
//===----------------------------------------------------------------------===//
#ifndef FLUXION_LIBDEVICE_H
#define FLUXION_LIBDEVICE_H

namespace llvm {
class Function;
class Module;
} // namespace llvm

namespace fluxion {

/// Keeps libdevice functions that have a derivative rule from being inlined,
/// when \p M calls an AD builtin. Returns whether it changed \p M.
bool deferLibdeviceInlining(llvm::Module &M);

/// Replaces NVVM's moves of bits between doubles and integers (d2i.hi,
/// d2i.lo, lohi.i2d) in \p F by bit casts and shifts, so that the check for
/// type punning of active values sees them.
void lowerBitMoves(llvm::Function &F);

/// Lets the inliner at the libdevice functions again.
void restoreLibdeviceInlining(llvm::Module &M);

/// In an NVPTX module, replaces the math intrinsics that derivatives use and
/// NVPTX cannot select (llvm.cos.f64, ...) with libdevice calls, linking the
/// libdevice functions that the module lacks from the CUDA toolkit
/// ($FLUXION_CUDA_PATH, else /usr/local/cuda). Reports an error when
/// libdevice cannot be read.
void lowerMathForDevice(llvm::Module &M);

} // namespace fluxion

#endif
