//===- FluxionPass.cpp - The module pass that lowers AD builtins ----------===//

#include "FluxionPass.h"

#include "BuiltinArguments.h"
#include "BuiltinCall.h"
#include "Checkpoint.h"
#include "CustomRules.h"
#include "Libdevice.h"
#include "MPI.h"
#include "OpenMP.h"
#include "PacketMath.h"
#include "Preprocess.h"
#include "Synthesizer.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace fluxion {

static void removeDeadMarkers(Module &M) {
  auto EraseDeadLoads = [](Value &Address) {
    for (User *U : make_early_inc_range(Address.users()))
      if (auto *LI = dyn_cast<LoadInst>(U); LI && LI->use_empty())
        LI->eraseFromParent();
  };
  for (GlobalVariable &GV : make_early_inc_range(M.globals())) {
    if (!isKnownMarkerGlobal(GV))
      continue;
    EraseDeadLoads(GV);
    // Device code reads markers through an address-space cast.
    for (User *U : make_early_inc_range(GV.users()))
      if (auto *Cast = dyn_cast<ConstantExpr>(U))
        EraseDeadLoads(*Cast);
    GV.removeDeadConstantUsers();
    if (GV.use_empty() && GV.isDeclaration())
      GV.eraseFromParent();
  }
}

/// The annotation that asks for a function to be simplified before its
/// builtin calls are read, at every optimization level: header templates
/// that pass activity markers through their own parameters (fluxion/cuda.cuh)
/// would otherwise hide them in stack slots at -O0.
static constexpr StringLiteral SimplifyAnnotation = "fluxion.simplify";

static bool simplifyBuiltinWrappers(Module &M, PreprocessCache &Preprocessed) {
  GlobalVariable *Annotations = M.getNamedGlobal("llvm.global.annotations");
  auto *Entries = Annotations && Annotations->hasInitializer()
                      ? dyn_cast<ConstantArray>(Annotations->getInitializer())
                      : nullptr;
  if (!Entries)
    return false;
  bool Changed = false;
  for (Use &Entry : Entries->operands()) {
    auto *Fields = dyn_cast<ConstantStruct>(Entry.get());
    if (!Fields || Fields->getNumOperands() < 2)
      continue;
    auto *F = dyn_cast<Function>(Fields->getOperand(0)->stripPointerCasts());
    auto *Text =
        dyn_cast<GlobalVariable>(Fields->getOperand(1)->stripPointerCasts());
    auto *Data = Text && Text->hasInitializer()
                     ? dyn_cast<ConstantDataSequential>(Text->getInitializer())
                     : nullptr;
    if (!F || F->isDeclaration() || !Data || !Data->isCString() ||
        Data->getAsCString() != SimplifyAnnotation)
      continue;
    // Template machinery (std::apply, std::tuple_cat) nests deeply.
    constexpr unsigned MaxCalleeSize = 200, Rounds = 64;
    F->removeFnAttr(Attribute::OptimizeNone);
    inlineSmallCallees(*F, *F, MaxCalleeSize, Rounds);
    Preprocessed.simplify(*F);
    Changed = true;
  }
  // Helpers inlined into the wrappers would still hold builtin calls.
  if (Changed)
    for (Function &F : make_early_inc_range(M))
      if (!F.isDeclaration() && F.isDiscardableIfUnused() && F.use_empty())
        F.eraseFromParent();
  return Changed;
}

using BuiltinCallList = SmallVector<std::pair<CallBase *, BuiltinKind>, 8>;

/// Whether \p F, or a function it calls, is in \p Targets.
static bool reachesAny(Function *F,
                       const SmallPtrSetImpl<Function *> &Targets) {
  SmallVector<Function *, 8> Worklist{F};
  SmallPtrSet<Function *, 16> Visited{F};
  while (!Worklist.empty()) {
    Function *Current = Worklist.pop_back_val();
    if (Targets.contains(Current))
      return true;
    for (Instruction &I : instructions(*Current))
      if (auto *Call = dyn_cast<CallBase>(&I))
        if (Function *Callee = Call->getCalledFunction();
            Callee && !Callee->isDeclaration() && Visited.insert(Callee).second)
          Worklist.push_back(Callee);
  }
  return false;
}

/// Orders builtin calls so that a call inside a function that another call
/// differentiates is lowered first: the outer derivative (a Hessian-vector
/// product, say) then differentiates ordinary IR.
static BuiltinCallList innermostFirst(BuiltinCallList Pending) {
  BuiltinCallList Ordered;
  while (!Pending.empty()) {
    SmallPtrSet<Function *, 8> Enclosing;
    for (auto [Call, Kind] : Pending)
      Enclosing.insert(Call->getFunction());
    BuiltinCallList Ready, Waiting;
    for (auto Entry : Pending) {
      Function *Target = differentiatedFunction(*Entry.first);
      bool Nested = Target && reachesAny(Target, Enclosing);
      (Nested ? Waiting : Ready).push_back(Entry);
    }
    // Recursion through builtins has no innermost call: keep source order.
    if (Ready.empty())
      std::swap(Ready, Waiting);
    append_range(Ordered, Ready);
    Pending = std::move(Waiting);
  }
  return Ordered;
}

PreservedAnalyses FluxionPass::run(Module &M, ModuleAnalysisManager &) {
  bool CallsBuiltins = any_of(M, [](Function &F) {
    return F.isDeclaration() && !F.use_empty() && builtinKind(F);
  });
  bool Registered = CallsBuiltins && linkMPIRules(M);
  Registered |= collectCustomRules(M, /*RemoveRegistrations=*/true);
  Registered |= keepCheckpointBodies(M);
  PreprocessCache Preprocessed;
  Registered |= simplifyBuiltinWrappers(M, Preprocessed);
  BuiltinCallList Calls;
  bool CountsIterations = false;
  SmallVector<Function *, 4> Builtins;
  for (Function &F : M) {
    std::optional<BuiltinKind> Kind = builtinKind(F);
    if (!Kind || !F.isDeclaration())
      continue;
    Builtins.push_back(&F);
    for (User *U : F.users())
      if (auto *Call = dyn_cast<CallBase>(U);
          Call && Call->getCalledOperand() == &F) {
        if (*Kind == BuiltinKind::Iteration)
          CountsIterations = true;
        else
          Calls.push_back({Call, *Kind});
      }
  }
  if (Calls.empty() && !CountsIterations) {
    releaseCheckpointBodies(M);
    clearSplitStructParameterMarks(M);
    return Registered ? PreservedAnalyses::none() : PreservedAnalyses::all();
  }

  Synthesizer S(M, Preprocessed);
  for (auto [Call, Kind] : innermostFirst(Calls))
    lowerBuiltinCall(*Call, Kind, S);
  // The counts the synthesized code carries were stepped when it was
  // copied; what is left is the program's own.
  for (Function *F : Builtins)
    if (builtinKind(*F) == BuiltinKind::Iteration)
      for (User *U : make_early_inc_range(F->users()))
        if (auto *Call = dyn_cast<CallBase>(U))
          lowerBuiltinCall(*Call, BuiltinKind::Iteration, S);
  if (SimplifyDerivatives)
    for (Function *F : S.synthesized())
      if (!F->isDeclaration())
        Preprocessed.simplify(*F);
  Preprocessed.eraseCopies();
  restoreParallelRegions(M);
  linkAdjointWindows(M);
  restoreLibdeviceInlining(M);
  restorePacketMathInlining(M);
  releaseCheckpointBodies(M);
  clearSplitStructParameterMarks(M);
  lowerMathForDevice(M);
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
