//===- MPI.cpp - Derivatives of MPI communication -------------------------===//

#include "MPI.h"
#include "EmbeddedBitcode.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/Module.h"
#include "llvm/Linker/Linker.h"
#include "llvm/Support/Debug.h"

#include <cstddef>

#define DEBUG_TYPE "fluxion-mpi"

using namespace llvm;

namespace fluxion {

// Generated from runtime/mpi/MPIRules.c (passes/EmbedBitcode.cmake); empty
// when the build found no MPI.
extern const unsigned char MPIRulesBitcode[];
extern const std::size_t MPIRulesBitcodeSize;

bool isMPIFunction(const Function &F) {
  StringRef Name = F.getName();
  return F.isDeclaration() &&
         (Name.starts_with("MPI_") || Name.starts_with("PMPI_"));
}

/// The function a registration global of the rules registers.
static Function *registered(GlobalVariable &Registration) {
  auto *Entries = dyn_cast_or_null<ConstantArray>(
      Registration.hasInitializer() ? Registration.getInitializer() : nullptr);
  if (!Entries || Entries->getNumOperands() == 0)
    return nullptr;
  return dyn_cast<Function>(Entries->getOperand(0)->stripPointerCasts());
}

bool linkMPIRules(Module &M) {
  if (M.getTargetTriple().isNVPTX() || none_of(M, [](const Function &F) {
        return isMPIFunction(F) && !F.use_empty();
      }))
    return false;
  std::unique_ptr<Module> Rules = loadEmbeddedBitcode(
      M,
      StringRef(reinterpret_cast<const char *>(MPIRulesBitcode),
                MPIRulesBitcodeSize),
      "the MPI derivative rules");
  if (!Rules)
    return false;
  // Only the rules of what this module calls come along.
  for (GlobalVariable &Registration : make_early_inc_range(Rules->globals())) {
    Function *Registered = registered(Registration);
    Function *Used =
        Registered ? M.getFunction(Registered->getName()) : nullptr;
    if (Registered && (!Used || Used->use_empty()))
      Registration.eraseFromParent();
  }
  bool Erased = true;
  while (Erased) {
    Erased = false;
    for (Function &F : make_early_inc_range(*Rules))
      if (F.use_empty() && (F.hasLocalLinkage() || F.isDeclaration())) {
        F.eraseFromParent();
        Erased = true;
      }
  }
  LLVM_DEBUG(dbgs() << "fluxion: linking the MPI rules of " << M.getName()
                    << "\n");
  return !Linker::linkModules(M, std::move(Rules));
}

} // namespace fluxion
