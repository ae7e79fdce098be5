//===- EmbeddedBitcode.cpp - Bitcode the build compiled into the engine ---===//

#include "EmbeddedBitcode.h"

#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace llvm;

namespace fluxion {

std::unique_ptr<Module> loadEmbeddedBitcode(Module &M, StringRef Bytes,
                                            StringRef Name) {
  if (Bytes.empty())
    return nullptr;
  Expected<std::unique_ptr<Module>> Loaded =
      parseBitcodeFile(MemoryBufferRef(Bytes, Name), M.getContext());
  if (!Loaded) {
    M.getContext().diagnose(
        DiagnosticInfoGeneric("fluxion: internal error: cannot read " + Name +
                                  ": " + toString(Loaded.takeError()),
                              DS_Error));
    return nullptr;
  }
  (*Loaded)->setTargetTriple(M.getTargetTriple());
  (*Loaded)->setDataLayout(M.getDataLayout());
  return std::move(*Loaded);
}

} // namespace fluxion
