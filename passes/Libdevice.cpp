//===- Libdevice.cpp - CUDA's libdevice math under differentiation --------===//

#include "Libdevice.h"

#include "BuiltinCall.h"
#include "DerivativeRules.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/IntrinsicsNVPTX.h"
#include "llvm/IR/Module.h"
#include "llvm/Linker/Linker.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cstdlib>

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
    // Interprocedural passes rewrite local functions (dropping a parameter
    // that is always 2.5, say); a visible definition keeps the signature.
    F.removeFnAttr(Attribute::AlwaysInline);
    F.addFnAttr(Attribute::NoInline);
    F.addFnAttr(DeferredAttr, utostr(F.getLinkage()));
    F.setLinkage(GlobalValue::WeakODRLinkage);
    Changed = true;
  }
  return Changed;
}

void lowerBitMoves(Function &F) {
  for (Instruction &I : make_early_inc_range(instructions(F))) {
    auto *II = dyn_cast<IntrinsicInst>(&I);
    if (!II)
      continue;
    Intrinsic::ID ID = II->getIntrinsicID();
    if (ID != Intrinsic::nvvm_d2i_hi && ID != Intrinsic::nvvm_d2i_lo &&
        ID != Intrinsic::nvvm_lohi_i2d)
      continue;
    IRBuilder<> B(II);
    Type *I32 = B.getInt32Ty(), *I64 = B.getInt64Ty();
    Value *Moved;
    if (ID == Intrinsic::nvvm_lohi_i2d) {
      Value *Low = B.CreateZExt(II->getArgOperand(0), I64);
      Value *High = B.CreateShl(B.CreateZExt(II->getArgOperand(1), I64), 32);
      Moved = B.CreateBitCast(B.CreateOr(High, Low), B.getDoubleTy());
    } else {
      Value *Bits = B.CreateBitCast(II->getArgOperand(0), I64);
      if (ID == Intrinsic::nvvm_d2i_hi)
        Bits = B.CreateLShr(Bits, 32);
      Moved = B.CreateTrunc(Bits, I32);
    }
    Moved->takeName(II);
    II->replaceAllUsesWith(Moved);
    II->eraseFromParent();
  }
}

namespace {

/// The libdevice function computing intrinsic \p II, or an empty name when
/// NVPTX selects the intrinsic itself.
std::string libdeviceName(const IntrinsicInst &II) {
  switch (II.getIntrinsicID()) {
  case Intrinsic::sin:
  case Intrinsic::cos:
  case Intrinsic::tan:
  case Intrinsic::asin:
  case Intrinsic::acos:
  case Intrinsic::atan:
  case Intrinsic::atan2:
  case Intrinsic::sinh:
  case Intrinsic::cosh:
  case Intrinsic::tanh:
  case Intrinsic::exp:
  case Intrinsic::exp2:
  case Intrinsic::exp10:
  case Intrinsic::log:
  case Intrinsic::log2:
  case Intrinsic::log10:
  case Intrinsic::pow:
  case Intrinsic::powi:
    break;
  default:
    return "";
  }
  Type *Ty = II.getType();
  if (!Ty->isFloatTy() && !Ty->isDoubleTy())
    return "";
  std::string Name =
      ("__nv_" + Intrinsic::getBaseName(II.getIntrinsicID()).drop_front(5))
          .str();
  return Ty->isFloatTy() ? Name + "f" : Name;
}

/// Links the definitions of \p Names from libdevice into \p M.
bool linkLibdevice(Module &M, const StringSet<> &Names) {
  std::string Root = "/usr/local/cuda";
  if (const char *Env = std::getenv("FLUXION_CUDA_PATH"))
    Root = Env;
  SmallString<128> Path(Root);
  sys::path::append(Path, "nvvm", "libdevice", "libdevice.10.bc");
  auto Buffer = MemoryBuffer::getFile(Path);
  if (!Buffer) {
    M.getContext().diagnose(DiagnosticInfoGeneric(
        "fluxion: cannot read " + Path +
            " for the math of device "
            "derivatives; set FLUXION_CUDA_PATH to the CUDA toolkit",
        DS_Error));
    return false;
  }
  Expected<std::unique_ptr<Module>> Lib =
      parseBitcodeFile((*Buffer)->getMemBufferRef(), M.getContext());
  if (!Lib) {
    M.getContext().diagnose(DiagnosticInfoGeneric(
        "fluxion: cannot parse " + Path + ": " + toString(Lib.takeError()),
        DS_Error));
    return false;
  }
  (*Lib)->setTargetTriple(M.getTargetTriple());
  (*Lib)->setDataLayout(M.getDataLayout());
  bool Failed = Linker::linkModules(M, std::move(*Lib), Linker::LinkOnlyNeeded);
  for (const auto &Name : Names)
    if (Function *F = M.getFunction(Name.getKey()); F && !F->isDeclaration())
      F->setLinkage(GlobalValue::InternalLinkage);
  return !Failed;
}

} // namespace

void lowerMathForDevice(Module &M) {
  if (!M.getTargetTriple().isNVPTX())
    return;
  SmallVector<std::pair<IntrinsicInst *, std::string>, 16> Calls;
  for (Function &F : M)
    for (Instruction &I : instructions(F))
      if (auto *II = dyn_cast<IntrinsicInst>(&I)) {
        std::string Name = libdeviceName(*II);
        if (!Name.empty())
          Calls.push_back({II, Name});
      }
  StringSet<> Missing;
  for (auto &[II, Name] : Calls) {
    SmallVector<Type *, 2> Params;
    for (Value *Arg : II->args())
      Params.push_back(Arg->getType());
    FunctionCallee Callee = M.getOrInsertFunction(
        Name, FunctionType::get(II->getType(), Params, false));
    auto *Call = CallInst::Create(Callee, SmallVector<Value *, 2>(II->args()),
                                  "", II->getIterator());
    Call->setDebugLoc(II->getDebugLoc());
    Call->takeName(II);
    II->replaceAllUsesWith(Call);
    II->eraseFromParent();
    if (cast<Function>(Callee.getCallee())->isDeclaration())
      Missing.insert(Name);
  }
  if (!Missing.empty())
    linkLibdevice(M, Missing);
}

void restoreLibdeviceInlining(Module &M) {
  for (Function &F : M) {
    if (!F.hasFnAttribute(DeferredAttr))
      continue;
    unsigned Linkage = 0;
    F.getFnAttribute(DeferredAttr).getValueAsString().getAsInteger(10, Linkage);
    F.setLinkage(static_cast<GlobalValue::LinkageTypes>(Linkage));
    F.removeFnAttr(DeferredAttr);
    F.removeFnAttr(Attribute::NoInline);
  }
}

} // namespace fluxion
