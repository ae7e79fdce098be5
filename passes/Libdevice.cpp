//===- Libdevice.cpp - CUDA's libdevice math under differentiation --------===//

#include "Libdevice.h"

#include "BuiltinCall.h"
#include "DerivativeRules.h"

#include "llvm/IR/Module.h"

using namespace llvm;

namespace fluxion {

static constexpr StringLiteral DeferredAttr = "fluxion-deferred-inline";

bool deferLibdeviceInlining(Module &M) {
  if (none_of(M, [](const Function &F) { return builtinKind(F).has_value(); }))
    return false;
  bool Changed = false;
  for (Function &F : M) {
    if (F.isDeclaration() || !F.getName().starts_with("__nv_") ||
        !findRuleByName(F.getName()) || F.hasFnAttribute(Attribute::NoInline))
      continue;
    F.removeFnAttr(Attribute::AlwaysInline);
    F.addFnAttr(Attribute::NoInline);
    F.addFnAttr(DeferredAttr);
    Changed = true;
  }
  return Changed;
}

void restoreLibdeviceInlining(Module &M) {
  for (Function &F : M) {
    if (!F.hasFnAttribute(DeferredAttr))
      continue;
    F.removeFnAttr(DeferredAttr);
    F.removeFnAttr(Attribute::NoInline);
  }
}

} // namespace fluxion
