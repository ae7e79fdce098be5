//===- LibraryFunctions.cpp - C library functions by what they are --------===//

#include "LibraryFunctions.h"

#include "llvm/IR/Module.h"

#include <map>
#include <memory>

using namespace llvm;

namespace fluxion {

std::optional<LibFunc> libraryFunction(const Function &F) {
  // Building the table for a target is not cheap; a compile sees one or two
  // targets (host and device).
  static std::map<std::string, std::unique_ptr<TargetLibraryInfoImpl>> Impls;
  Triple Target = F.getParent()->getTargetTriple();
  // NVPTX's table disables every function, but CUDA's device runtime has
  // malloc, free and the like with the prototypes of 64-bit Linux.
  if (Target.isNVPTX())
    Target = Triple("x86_64-unknown-linux-gnu");
  auto &Impl = Impls[Target.str()];
  if (!Impl)
    Impl = std::make_unique<TargetLibraryInfoImpl>(Target);
  LibFunc Func;
  if (!TargetLibraryInfo(*Impl).getLibFunc(F, Func))
    return std::nullopt;
  return Func;
}

} // namespace fluxion
