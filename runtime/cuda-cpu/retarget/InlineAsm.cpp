//===- InlineAsm.cpp - The inline PTX that libdevice and CUDA headers use -===//
//
// libdevice implements parts of its math (argument reduction, 128-bit
// arithmetic, approximate reciprocals) in inline PTX, and the CUDA headers
// wrap cache-hinted loads and funnel shifts in it. Those templates are known
// strings; each is matched after whitespace is normalized and replaced by the
// equivalent IR. Any other inline PTX is reported by function.
//
//===----------------------------------------------------------------------===//

#include "Retarget.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InlineAsm.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/Intrinsics.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Regex.h"

#include "../DeviceAbi.h"

#include <functional>

using namespace llvm;

namespace fluxion::cudacpu {
namespace {

using Lowering = std::function<Value *(IRBuilder<> &, CallInst &)>;

std::string normalize(StringRef Asm) {
  std::string Out;
  bool Space = false;
  for (char C : Asm) {
    if (isspace(static_cast<unsigned char>(C))) {
      Space = !Out.empty();
      continue;
    }
    if (Space && !strchr(",;{}[]", C) && !strchr(",;{}[]", Out.back()))
      Out += ' ';
    Space = false;
    Out += C;
  }
  return Out;
}

Value *arg(CallInst &CI, unsigned I) { return CI.getArgOperand(I); }

Value *pack(IRBuilder<> &B, CallInst &CI, ArrayRef<Value *> Parts) {
  Value *R = PoisonValue::get(CI.getType());
  for (auto [I, V] : enumerate(Parts))
    R = B.CreateInsertValue(R, V, I);
  return R;
}

/// A 128-bit operand given as two 64-bit halves, low first.
Value *wide(IRBuilder<> &B, Value *Lo, Value *Hi) {
  Type *I128 = B.getInt128Ty();
  return B.CreateOr(B.CreateZExt(Lo, I128),
                    B.CreateShl(B.CreateZExt(Hi, I128), 64));
}

Value *halves(IRBuilder<> &B, CallInst &CI, Value *V) {
  Type *I64 = B.getInt64Ty();
  return pack(B, CI,
              {B.CreateTrunc(V, I64), B.CreateTrunc(B.CreateLShr(V, 64), I64)});
}

Value *directedSub(IRBuilder<> &B, CallInst &CI, StringRef Mode) {
  Module &M = *CI.getModule();
  Type *Ty = CI.getType();
  std::string Name =
      ("__fxcpu_nvvm_add_" + Mode + "_" + (Ty->isFloatTy() ? "f" : "d")).str();
  FunctionCallee F = M.getOrInsertFunction(Name, Ty, Ty, Ty);
  // a - b is a + (-b) exactly, so the directed addition rounds the same.
  return B.CreateCall(F, {arg(CI, 0), B.CreateFNeg(arg(CI, 1))});
}

const StringMap<Lowering> &knownTemplates() {
  static const StringMap<Lowering> Table = [] {
    StringMap<Lowering> T;
    auto Recip = [](IRBuilder<> &B, CallInst &CI) -> Value * {
      return B.CreateFDiv(ConstantFP::get(CI.getType(), 1.0), arg(CI, 0));
    };
    T["rcp.approx.ftz.f32 $0,$1;"] = Recip;
    T["rsqrt.approx.ftz.f64 $0,$1;"] = [](IRBuilder<> &B, CallInst &CI) {
      return B.CreateFDiv(ConstantFP::get(CI.getType(), 1.0),
                          B.CreateUnaryIntrinsic(Intrinsic::sqrt, arg(CI, 0)));
    };
    for (const char *Ty : {"f32", "ftz.f32", "f64"}) {
      T[std::string("sub.rn.") + Ty + " $0,$1,$2;"] = [](IRBuilder<> &B,
                                                         CallInst &CI) {
        return B.CreateFSub(arg(CI, 0), arg(CI, 1));
      };
      for (const char *Mode : {"rz", "rm", "rp"})
        T[std::string("sub.") + Mode + "." + Ty + " $0,$1,$2;"] =
            [Mode](IRBuilder<> &B, CallInst &CI) {
              return directedSub(B, CI, Mode);
            };
    }
    // 32x32+32 bit multiply-add with carry into the high word.
    T["{mad.lo.cc.u32 $0,$2,$3,$4;madc.hi.u32 $1,$2,$3,0;}"] =
        [](IRBuilder<> &B, CallInst &CI) {
          Type *I64 = B.getInt64Ty(), *I32 = B.getInt32Ty();
          Value *Full = B.CreateAdd(B.CreateMul(B.CreateZExt(arg(CI, 0), I64),
                                                B.CreateZExt(arg(CI, 1), I64)),
                                    B.CreateZExt(arg(CI, 2), I64));
          return pack(B, CI,
                      {B.CreateTrunc(Full, I32),
                       B.CreateTrunc(B.CreateLShr(Full, 32), I32)});
        };
    T["bfind.shiftamt.u32 $0,$1;"] = [](IRBuilder<> &B, CallInst &CI) {
      Value *X = arg(CI, 0);
      Value *Lz = B.CreateBinaryIntrinsic(Intrinsic::ctlz, X, B.getTrue());
      return B.CreateSelect(B.CreateICmpEQ(X, B.getInt32(0)), B.getInt32(~0u),
                            Lz);
    };
    T["{.reg .pred __$$temp3;setp.equ.f64 __$$temp3,$1,$2;selp.f64 "
      "$0,$3,$4,__$$temp3;}"] = [](IRBuilder<> &B, CallInst &CI) {
      return B.CreateSelect(B.CreateFCmpUEQ(arg(CI, 0), arg(CI, 1)), arg(CI, 2),
                            arg(CI, 3));
    };
    // cooperative_groups' scratch area in the block's reserved shared memory.
    T["{.reg .u32 start;.reg .u64 extended;mov.u32 "
      "start,%reserved_smem_offset_1;cvt.u64.u32 extended,start;cvta.shared."
      "u64 $0,extended;}"] = [](IRBuilder<> &B, CallInst &CI) {
      Module &M = *CI.getModule();
      FunctionCallee F =
          M.getOrInsertFunction("__fxcpu_reserved_shared", B.getPtrTy());
      cast<Function>(F.getCallee())->setDoesNotAccessMemory();
      return B.CreatePtrToInt(B.CreateCall(F), CI.getType());
    };
    return T;
  }();
  return Table;
}

/// libdevice's 128-bit helpers, recognized by their instruction sequence
/// rather than spelled out: each is the only template with that sequence.
Lowering wideArithmetic(StringRef Asm) {
  auto Has = [&](StringRef S) { return Asm.contains(S); };
  if (!Has(".reg .u32 r0,r1,r2,r3"))
    return nullptr;
  if (Has("sub.cc.u32"))
    return [](IRBuilder<> &B, CallInst &CI) {
      return halves(B, CI,
                    B.CreateSub(wide(B, arg(CI, 0), arg(CI, 1)),
                                wide(B, arg(CI, 2), arg(CI, 3))));
    };
  if (Has("add.cc.u32"))
    return [](IRBuilder<> &B, CallInst &CI) {
      return halves(B, CI,
                    B.CreateAdd(wide(B, arg(CI, 0), arg(CI, 1)),
                                wide(B, arg(CI, 2), arg(CI, 3))));
    };
  if (Has("mul.lo.u32 r0,alo,blo"))
    return [](IRBuilder<> &B, CallInst &CI) {
      Type *I128 = B.getInt128Ty();
      return halves(B, CI,
                    B.CreateMul(B.CreateZExt(arg(CI, 0), I128),
                                B.CreateZExt(arg(CI, 1), I128)));
    };
  if (Has("mad.lo.cc.u32 r0,alo,blo,clo"))
    return [](IRBuilder<> &B, CallInst &CI) {
      Type *I128 = B.getInt128Ty();
      Value *P = B.CreateMul(B.CreateZExt(arg(CI, 0), I128),
                             B.CreateZExt(arg(CI, 1), I128));
      return halves(B, CI, B.CreateAdd(P, B.CreateZExt(arg(CI, 2), I128)));
    };
  return nullptr;
}

/// Cache-hinted global loads and stores and funnel shifts from the CUDA
/// headers: the hints mean nothing on the host.
Lowering headerIntrinsic(StringRef Asm) {
  static const Regex Load(
      "^ld\\.global\\.[a-z]+\\.[a-z0-9]+ \\$0,\\[\\$1\\];$");
  static const Regex Store(
      "^st\\.global\\.[a-z]+\\.[a-z0-9]+\\[\\$0\\],\\$1;$");
  static const Regex Shift(
      "^shf\\.(l|r)\\.(wrap|clamp)\\.b32 \\$0,\\$1,\\$2,\\$3;$");
  SmallVector<StringRef, 3> M;
  if (Load.match(Asm))
    return [](IRBuilder<> &B, CallInst &CI) {
      return B.CreateLoad(CI.getType(), arg(CI, 0));
    };
  if (Store.match(Asm))
    return [](IRBuilder<> &B, CallInst &CI) -> Value * {
      B.CreateStore(arg(CI, 1), arg(CI, 0));
      return nullptr;
    };
  if (Shift.match(Asm, &M)) {
    bool Left = M[1] == "l", Clamp = M[2] == "clamp";
    return [Left, Clamp](IRBuilder<> &B, CallInst &CI) {
      Value *Lo = arg(CI, 0), *Hi = arg(CI, 1), *N = arg(CI, 2);
      Value *R = B.CreateIntrinsic(Left ? Intrinsic::fshl : Intrinsic::fshr,
                                   {B.getInt32Ty()}, {Hi, Lo, N});
      if (!Clamp)
        return R;
      return B.CreateSelect(B.CreateICmpUGE(N, B.getInt32(32)), Left ? Lo : Hi,
                            R);
    };
  }
  if (Asm == "nanosleep.u32 $0;")
    return [](IRBuilder<> &, CallInst &) -> Value * { return nullptr; };
  return nullptr;
}

FunctionCallee runtimeFn(Module &M, StringRef Name, Type *Ret,
                         ArrayRef<Type *> Params, bool Pure) {
  FunctionCallee F =
      M.getOrInsertFunction(Name, FunctionType::get(Ret, Params, false));
  if (Pure)
    cast<Function>(F.getCallee())->setDoesNotAccessMemory();
  return F;
}

/// Special registers and the memory-model operations cooperative groups
/// reach through inline PTX. An acquiring load is how its multi-warp
/// barriers spin, so it first lets the other threads of the block run.
Lowering cooperativeGroups(StringRef Asm) {
  static const Regex Register("^mov\\.u32 \\$0,%([a-z_]+);$");
  static const Regex Acquire(
      "^ld\\.acquire\\.(cta|gpu|sys)\\.[bu]32 \\$0,\\[\\$1\\];$");
  static const Regex Reduce("^red\\.(or|and|add)\\.[a-z_]+\\.(cta|gpu|sys)"
                            "\\.[bu]32\\[\\$0\\],\\$1;$");
  static const Regex Atomic("^atom\\.(or|and|add)\\.[a-z_]+\\.(cta|gpu|sys)"
                            "\\.[bu]32 \\$0,\\[\\$1\\],\\$2;$");
  SmallVector<StringRef, 3> M;
  if (Register.match(Asm, &M)) {
    StringRef Reg = M[1];
    if (Reg != "laneid" && Reg != "warpid" && Reg != "nwarpid" &&
        !Reg.starts_with("lanemask_"))
      return nullptr;
    std::string Name = Reg.str();
    return [Name](IRBuilder<> &B, CallInst &CI) -> Value * {
      Module &Mod = *CI.getModule();
      Type *I32 = B.getInt32Ty();
      FunctionCallee Sreg =
          runtimeFn(Mod, "__fxcpu_sreg", I32, {I32}, /*Pure=*/true);
      unsigned Id = Name == "warpid"    ? FXCPU_SREG_WARPID
                    : Name == "nwarpid" ? FXCPU_SREG_NWARPID
                                        : FXCPU_SREG_LANEID;
      Value *V = B.CreateCall(Sreg, {B.getInt32(Id)});
      if (!StringRef(Name).starts_with("lanemask_"))
        return V;
      Value *Bit = B.CreateShl(B.getInt32(1), V);
      StringRef Kind = StringRef(Name).drop_front(strlen("lanemask_"));
      Value *Below = B.CreateSub(Bit, B.getInt32(1));
      if (Kind == "eq")
        return Bit;
      if (Kind == "lt")
        return Below;
      if (Kind == "le")
        return B.CreateOr(Below, Bit);
      if (Kind == "ge")
        return B.CreateNot(Below);
      return B.CreateNot(B.CreateOr(Below, Bit));
    };
  }
  if (Acquire.match(Asm))
    return [](IRBuilder<> &B, CallInst &CI) -> Value * {
      B.CreateCall(runtimeFn(*CI.getModule(), "__fxcpu_yield", B.getVoidTy(),
                             {}, false));
      LoadInst *L = B.CreateLoad(CI.getType(), arg(CI, 0));
      L->setAtomic(AtomicOrdering::Acquire);
      L->setAlignment(Align(4));
      return L;
    };
  bool IsReduce = Reduce.match(Asm, &M);
  if (IsReduce || Atomic.match(Asm, &M)) {
    AtomicRMWInst::BinOp Op = M[1] == "or"    ? AtomicRMWInst::Or
                              : M[1] == "and" ? AtomicRMWInst::And
                                              : AtomicRMWInst::Add;
    return [Op, IsReduce](IRBuilder<> &B, CallInst &CI) -> Value * {
      Value *Old = B.CreateAtomicRMW(Op, arg(CI, 0), arg(CI, 1), MaybeAlign(4),
                                     AtomicOrdering::SequentiallyConsistent);
      return IsReduce ? nullptr : Old;
    };
  }
  return nullptr;
}

} // namespace

Error lowerInlineAsm(Module &M) {
  for (Function &F : M) {
    for (Instruction &I : make_early_inc_range(instructions(F))) {
      auto *CI = dyn_cast<CallInst>(&I);
      if (!CI || !CI->isInlineAsm())
        continue;
      std::string Asm =
          normalize(cast<InlineAsm>(CI->getCalledOperand())->getAsmString());
      Lowering Lower;
      auto Known = knownTemplates().find(Asm);
      if (Known != knownTemplates().end())
        Lower = Known->second;
      if (!Lower)
        Lower = wideArithmetic(Asm);
      if (!Lower)
        Lower = headerIntrinsic(Asm);
      if (!Lower)
        Lower = cooperativeGroups(Asm);
      if (!Lower)
        return retargetError("inline PTX assembly in function '" + F.getName() +
                             "' cannot run on the CPU: \"" + Asm + "\"");
      IRBuilder<> B(CI);
      Value *R = Lower(B, *CI);
      if (R && !CI->getType()->isVoidTy())
        CI->replaceAllUsesWith(R);
      CI->eraseFromParent();
    }
  }
  return Error::success();
}

} // namespace fluxion::cudacpu
