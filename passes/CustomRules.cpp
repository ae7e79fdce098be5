//===- CustomRules.cpp - User-registered derivatives ----------------------===//

#include "CustomRules.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/Module.h"

using namespace llvm;

namespace fluxion {

static constexpr StringLiteral ForwardAttr = "fluxion-forward-rule";
static constexpr StringLiteral AugmentedAttr = "fluxion-augmented-rule";
static constexpr StringLiteral ReverseAttr = "fluxion-reverse-rule";
static constexpr StringLiteral InactiveAttr = "fluxion_inactive";
static constexpr StringLiteral CheckpointAttr = "fluxion_checkpoint";
/// Set on checkpointed functions that were inlinable before registration.
static constexpr StringLiteral DeferredInlineAttr =
    "fluxion-checkpoint-deferred-inline";

namespace {

/// The functions listed in a registration array, in order.
SmallVector<Function *, 3> listedFunctions(GlobalVariable &GV) {
  SmallVector<Function *, 3> Functions;
  if (!GV.hasInitializer())
    return Functions;
  auto *Array = dyn_cast<ConstantArray>(GV.getInitializer());
  if (!Array)
    return Functions;
  for (Use &Op : Array->operands())
    Functions.push_back(dyn_cast<Function>(Op.get()->stripPointerCasts()));
  return Functions;
}

void reportBadRegistration(GlobalVariable &GV, const Twine &Msg) {
  GV.getContext().diagnose(
      DiagnosticInfoGeneric("fluxion: " + GV.getName() + ": " + Msg, DS_Error));
}

} // namespace

bool collectCustomRules(Module &M, bool RemoveRegistrations) {
  bool Changed = false;
  for (GlobalVariable &GV : make_early_inc_range(M.globals())) {
    StringRef Name = GV.getName();
    SmallVector<Function *, 3> Fns = listedFunctions(GV);
    bool Registration = true;
    if (Name.starts_with("__enzyme_register_derivative")) {
      if (Fns.size() != 2 || !Fns[0] || !Fns[1]) {
        reportBadRegistration(GV, "expected {function, forward rule}");
        continue;
      }
      Fns[0]->addFnAttr(ForwardAttr, Fns[1]->getName());
      Fns[0]->addFnAttr(Attribute::NoInline);
    } else if (Name.starts_with("__enzyme_register_gradient")) {
      if (Fns.size() != 3 || !Fns[0] || !Fns[1] || !Fns[2]) {
        reportBadRegistration(
            GV, "expected {function, augmented forward, reverse}");
        continue;
      }
      Fns[0]->addFnAttr(AugmentedAttr, Fns[1]->getName());
      Fns[0]->addFnAttr(ReverseAttr, Fns[2]->getName());
      Fns[0]->addFnAttr(Attribute::NoInline);
    } else if (Name.starts_with("__enzyme_inactivefn") ||
               Name.starts_with("__fluxion_inactive")) {
      for (Function *F : Fns)
        if (F) {
          F->addFnAttr(InactiveAttr);
          F->addFnAttr(Attribute::NoInline);
        }
    } else if (Name.starts_with("__fluxion_checkpoint")) {
      for (Function *F : Fns)
        if (F && !F->hasFnAttribute(CheckpointAttr)) {
          F->addFnAttr(CheckpointAttr);
          if (!F->hasFnAttribute(Attribute::NoInline))
            F->addFnAttr(DeferredInlineAttr);
          F->addFnAttr(Attribute::NoInline);
        }
    } else {
      Registration = false;
    }
    if (!Registration)
      continue;
    Changed = true;
    if (!RemoveRegistrations)
      continue;
    // The registration is compile-time information only.
    GV.replaceAllUsesWith(PoisonValue::get(GV.getType()));
    GV.eraseFromParent();
  }
  return Changed;
}

CustomRule customRule(const Function &F) {
  const Module &M = *F.getParent();
  auto Lookup = [&](StringRef Attr) -> Function * {
    if (!F.hasFnAttribute(Attr))
      return nullptr;
    return M.getFunction(F.getFnAttribute(Attr).getValueAsString());
  };
  return {Lookup(ForwardAttr), Lookup(AugmentedAttr), Lookup(ReverseAttr)};
}

bool isMarkedInactive(const Function &F) {
  return F.hasFnAttribute(InactiveAttr) || F.hasFnAttribute("enzyme_inactive");
}

bool isCheckpointed(const Function &F) {
  return F.hasFnAttribute(CheckpointAttr);
}

void clearCheckpointMark(Function &F) {
  F.removeFnAttr(CheckpointAttr);
  F.removeFnAttr(DeferredInlineAttr);
}

void restoreCheckpointInlining(Function &F) {
  if (!F.hasFnAttribute(DeferredInlineAttr))
    return;
  F.removeFnAttr(DeferredInlineAttr);
  F.removeFnAttr(Attribute::NoInline);
}

} // namespace fluxion
