//===- FluxionPass.cpp - The module pass that lowers AD builtins ----------===//

#include "FluxionPass.h"

#include "BuiltinCall.h"
#include "CustomRules.h"
#include "Preprocess.h"
#include "Synthesizer.h"

#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace fluxion {

static void removeDeadMarkers(Module &M) {
  for (GlobalVariable &GV : make_early_inc_range(M.globals())) {
    if (!isMarkerGlobal(GV))
      continue;
    for (User *U : make_early_inc_range(GV.users()))
      if (auto *LI = dyn_cast<LoadInst>(U); LI && LI->use_empty())
        LI->eraseFromParent();
    if (GV.use_empty() && GV.isDeclaration())
      GV.eraseFromParent();
  }
}

PreservedAnalyses FluxionPass::run(Module &M, ModuleAnalysisManager &) {
  bool Registered = collectCustomRules(M);
  SmallVector<std::pair<CallBase *, BuiltinKind>, 8> Calls;
  SmallVector<Function *, 4> Builtins;
  for (Function &F : M) {
    std::optional<BuiltinKind> Kind = builtinKind(F);
    if (!Kind || !F.isDeclaration())
      continue;
    Builtins.push_back(&F);
    for (User *U : F.users())
      if (auto *Call = dyn_cast<CallBase>(U); Call && Call->getCalledOperand() == &F)
        Calls.push_back({Call, *Kind});
  }
  if (Calls.empty())
    return Registered ? PreservedAnalyses::none() : PreservedAnalyses::all();

  PreprocessCache Preprocessed;
  Synthesizer S(M, Preprocessed);
  for (auto [Call, Kind] : Calls)
    lowerBuiltinCall(*Call, Kind, S);
  Preprocessed.eraseCopies();
  for (Function *F : Builtins)
    if (F->use_empty())
      F->eraseFromParent();
  removeDeadMarkers(M);

  std::string Problems;
  raw_string_ostream OS(Problems);
  if (verifyModule(M, &OS))
    M.getContext().diagnose(DiagnosticInfoGeneric(
        "fluxion: internal error: a synthesized derivative is malformed:\n" +
            Twine(OS.str()),
        DS_Error));
  return PreservedAnalyses::none();
}

} // namespace fluxion
