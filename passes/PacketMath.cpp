//===- PacketMath.cpp - SIMD library math as the functions it computes ----===//

#include "PacketMath.h"

#include "BuiltinCall.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/Demangle/Demangle.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Module.h"

#include <cstdlib>

using namespace llvm;

namespace fluxion {

static constexpr StringLiteral DeferredAttr = "fluxion-deferred-packet-math";

/// The intrinsic a packet math row lowers to.
static std::optional<Intrinsic::ID> intrinsicFor(StringRef Row) {
  return StringSwitch<std::optional<Intrinsic::ID>>(Row)
      .Case("exp", Intrinsic::exp)
      .Case("log", Intrinsic::log)
      .Case("log2", Intrinsic::log2)
      .Case("sin", Intrinsic::sin)
      .Case("cos", Intrinsic::cos)
      .Case("tanh", Intrinsic::tanh)
      .Case("sqrt", Intrinsic::sqrt)
      .Default(std::nullopt);
}

std::optional<StringRef> packetMathRow(const Function &F) {
  // Eigen::internal::p<name><Packet>(const Packet &) returning the packet.
  if (F.arg_size() != 1 || !F.getArg(0)->getType()->isPointerTy() ||
      !F.getReturnType()->isVectorTy() ||
      !F.getReturnType()->isFPOrFPVectorTy() ||
      !F.getName().starts_with("_ZN5Eigen8internal"))
    return std::nullopt;
  // The demangler keeps pointers into the name it parses.
  std::string Name = F.getName().str();
  ItaniumPartialDemangler Demangler;
  if (Demangler.partialDemangle(Name.c_str()))
    return std::nullopt;
  size_t Size = 0;
  char *Base = Demangler.getFunctionBaseName(nullptr, &Size);
  if (!Base)
    return std::nullopt;
  std::optional<StringRef> Row = StringSwitch<std::optional<StringRef>>(Base)
                                     .Case("pexp", StringRef("exp"))
                                     .Case("plog", StringRef("log"))
                                     .Case("plog2", StringRef("log2"))
                                     .Case("psin", StringRef("sin"))
                                     .Case("pcos", StringRef("cos"))
                                     .Case("ptanh", StringRef("tanh"))
                                     .Case("psqrt", StringRef("sqrt"))
                                     .Default(std::nullopt);
  std::free(Base);
  return Row;
}

bool deferPacketMathInlining(Module &M) {
  if (none_of(M, [](const Function &F) { return builtinKind(F).has_value(); }))
    return false;
  bool Changed = false;
  for (Function &F : M) {
    if (F.isDeclaration() || F.hasFnAttribute(Attribute::NoInline) ||
        !packetMathRow(F))
      continue;
    // The attribute's value remembers an always-inline request to restore.
    F.addFnAttr(DeferredAttr,
                F.hasFnAttribute(Attribute::AlwaysInline) ? "always" : "");
    F.removeFnAttr(Attribute::AlwaysInline);
    F.addFnAttr(Attribute::NoInline);
    Changed = true;
  }
  return Changed;
}

void restorePacketMathInlining(Module &M) {
  for (Function &F : M) {
    if (!F.hasFnAttribute(DeferredAttr))
      continue;
    if (F.getFnAttribute(DeferredAttr).getValueAsString() == "always")
      F.addFnAttr(Attribute::AlwaysInline);
    F.removeFnAttr(DeferredAttr);
    F.removeFnAttr(Attribute::NoInline);
  }
}

void lowerPacketMathCalls(Function &F) {
  for (Instruction &I : make_early_inc_range(instructions(F))) {
    auto *Call = dyn_cast<CallInst>(&I);
    Function *Callee = Call ? Call->getCalledFunction() : nullptr;
    std::optional<StringRef> Row =
        Callee ? packetMathRow(*Callee) : std::nullopt;
    std::optional<Intrinsic::ID> ID = Row ? intrinsicFor(*Row) : std::nullopt;
    if (!ID)
      continue;
    IRBuilder<> B(Call);
    Value *Packet = B.CreateLoad(Call->getType(), Call->getArgOperand(0));
    Value *Result = B.CreateUnaryIntrinsic(*ID, Packet);
    Result->takeName(Call);
    Call->replaceAllUsesWith(Result);
    Call->eraseFromParent();
  }
}

} // namespace fluxion
