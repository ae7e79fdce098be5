//===- EmbeddedBitcode.h - Bitcode the build compiled into the engine -*- C++
//-*-===//
//
// Parts of Fluxion are written in C (MPI derivative rules, OpenMP adjoint
// windows), compiled to bitcode by the build and carried inside the engine
// (passes/EmbedBitcode.cmake), then linked into the modules that need them.
//
//===----------------------------------------------------------------------===//
#ifndef FLUXION_EMBEDDEDBITCODE_H
#define FLUXION_EMBEDDEDBITCODE_H

#include "llvm/ADT/StringRef.h"

#include <memory>

namespace llvm {
class Module;
} // namespace llvm

namespace fluxion {

/// \p Bytes parsed in \p M's context, with \p M's triple and data layout,
/// ready to link into it; null (and an error reported) if it cannot be
/// read, or when the build embedded nothing.
std::unique_ptr<llvm::Module> loadEmbeddedBitcode(llvm::Module &M,
                                                  llvm::StringRef Bytes,
                                                  llvm::StringRef Name);

} // namespace fluxion

#endif
