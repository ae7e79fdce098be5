//===- NvvmLowering.cpp - NVVM intrinsics as host IR or runtime calls -----===//
//
// Arithmetic that x86 does natively (round-to-nearest operations, fused
// multiply-add, conversions with saturation) becomes ordinary IR so that the
// host optimizer sees through it. Approximate GPU operations become the exact
// host operation, which lies inside the GPU's error bound. What depends on
// other threads (special registers, barriers, warp collectives) becomes a
// call into the fiber executor. Directed-rounding arithmetic becomes a call
// to __fxcpu_nvvm_<name>, which the runtime computes under the requested
// rounding mode; an intrinsic the runtime lacks fails at link time under that
// name, which the driver reports as an unsupported intrinsic.
//
//===----------------------------------------------------------------------===//

#include "Retarget.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/Intrinsics.h"
#include "llvm/IR/Module.h"

#include "../DeviceAbi.h"

#include <optional>

using namespace llvm;

namespace fluxion::cudacpu {
namespace {

class Lowering {
public:
  explicit Lowering(Module &M) : M(M), Ctx(M.getContext()) {}

  /// Lowers one call of llvm.nvvm.<Name>; the call is erased by the caller.
  Expected<Value *> lower(CallInst &CI, StringRef Name);

private:
  FunctionCallee runtime(StringRef Name, Type *Ret, ArrayRef<Type *> Params,
                         bool Pure = false) {
    FunctionCallee C =
        M.getOrInsertFunction(Name, FunctionType::get(Ret, Params, false));
    auto *F = cast<Function>(C.getCallee());
    F->setDoesNotThrow();
    if (Pure) {
      F->setDoesNotAccessMemory();
      F->setWillReturn();
    }
    return C;
  }

  Value *sreg(IRBuilder<> &B, unsigned Which) {
    return B.CreateCall(
        runtime("__fxcpu_sreg", B.getInt32Ty(), {B.getInt32Ty()}, true),
        {B.getInt32(Which)});
  }

  Expected<Value *> specialRegister(IRBuilder<> &B, CallInst &CI,
                                    StringRef Reg);
  Expected<Value *> barrier(IRBuilder<> &B, CallInst &CI, StringRef Name);
  Expected<Value *> warpCollective(IRBuilder<> &B, CallInst &CI,
                                   ArrayRef<StringRef> T);
  Expected<Value *> atomic(IRBuilder<> &B, CallInst &CI, ArrayRef<StringRef> T);
  std::optional<Value *> arithmetic(IRBuilder<> &B, CallInst &CI,
                                    ArrayRef<StringRef> T,
                                    ArrayRef<Value *> Args);

  Module &M;
  LLVMContext &Ctx;
};

std::string joined(ArrayRef<StringRef> T, char Sep) {
  std::string S;
  for (StringRef Part : T) {
    if (!S.empty())
      S += Sep;
    S += Part.str();
  }
  return S;
}

/// Flush-to-zero for single precision, as the .ftz forms do on the GPU.
Value *flush(IRBuilder<> &B, Value *V) {
  if (!V->getType()->isFloatTy())
    return V;
  Value *Tiny = B.CreateFCmpOLT(B.CreateUnaryIntrinsic(Intrinsic::fabs, V),
                                ConstantFP::get(V->getType(), 1.17549435e-38));
  Value *Zero = B.CreateCopySign(ConstantFP::get(V->getType(), 0.0), V);
  return B.CreateSelect(Tiny, Zero, V);
}

Expected<Value *> Lowering::specialRegister(IRBuilder<> &B, CallInst &CI,
                                            StringRef Reg) {
  static const StringMap<unsigned> Regs = {
      {"tid.x", FXCPU_SREG_TID_X},
      {"tid.y", FXCPU_SREG_TID_Y},
      {"tid.z", FXCPU_SREG_TID_Z},
      {"ntid.x", FXCPU_SREG_NTID_X},
      {"ntid.y", FXCPU_SREG_NTID_Y},
      {"ntid.z", FXCPU_SREG_NTID_Z},
      {"ctaid.x", FXCPU_SREG_CTAID_X},
      {"ctaid.y", FXCPU_SREG_CTAID_Y},
      {"ctaid.z", FXCPU_SREG_CTAID_Z},
      {"nctaid.x", FXCPU_SREG_NCTAID_X},
      {"nctaid.y", FXCPU_SREG_NCTAID_Y},
      {"nctaid.z", FXCPU_SREG_NCTAID_Z},
      {"laneid", FXCPU_SREG_LANEID},
      {"warpid", FXCPU_SREG_WARPID},
      {"nwarpid", FXCPU_SREG_NWARPID},
      {"dynamic_smem_size", FXCPU_SREG_DYNAMIC_SMEM_SIZE},
      {"total_smem_size", FXCPU_SREG_TOTAL_SMEM_SIZE},
      // The executor runs every launch as clusters of one block.
      {"clusterid.x", FXCPU_SREG_CTAID_X},
      {"clusterid.y", FXCPU_SREG_CTAID_Y},
      {"clusterid.z", FXCPU_SREG_CTAID_Z},
      {"nclusterid.x", FXCPU_SREG_NCTAID_X},
      {"nclusterid.y", FXCPU_SREG_NCTAID_Y},
      {"nclusterid.z", FXCPU_SREG_NCTAID_Z}};
  Type *Ty = CI.getType();
  auto It = Regs.find(Reg);
  if (It != Regs.end())
    return B.CreateZExtOrTrunc(sreg(B, It->second), Ty);
  if (Reg == "warpsize")
    return ConstantInt::get(Ty, 32);
  if (Reg.starts_with("cluster.nctaid") || Reg == "cluster.nctarank")
    return ConstantInt::get(Ty, 1);
  if (Reg.starts_with("cluster.ctaid") || Reg == "cluster.ctarank")
    return ConstantInt::get(Ty, 0);
  if (Reg == "clock" || Reg == "clock64")
    return B.CreateZExtOrTrunc(
        B.CreateCall(runtime("__fxcpu_clock64", B.getInt64Ty(), {})), Ty);
  if (Reg == "globaltimer")
    return B.CreateZExtOrTrunc(
        B.CreateCall(runtime("__fxcpu_globaltimer", B.getInt64Ty(), {})), Ty);
  return retargetError("special register %" + Reg + " is not supported");
}

Expected<Value *> Lowering::barrier(IRBuilder<> &B, CallInst &CI,
                                    StringRef Name) {
  Type *I32 = B.getInt32Ty();
  if (Name == "bar.warp.sync")
    return B.CreateCall(runtime("__fxcpu_syncwarp", B.getVoidTy(), {I32}),
                        {CI.getArgOperand(0)});
  if (Name.contains("count") || Name.contains("cnt") ||
      Name.contains("arrive") || Name.contains("cluster"))
    return retargetError("barrier '" + Name +
                         "' (partial, split or cluster barriers) is not "
                         "supported; only whole-block barriers are");
  std::optional<unsigned> Op;
  if (Name.contains("popc"))
    Op = FXCPU_RED_POPC;
  else if (Name.contains(".and"))
    Op = FXCPU_RED_AND;
  else if (Name.contains(".or"))
    Op = FXCPU_RED_OR;
  if (!Op)
    return B.CreateCall(runtime("__fxcpu_syncthreads", B.getVoidTy(), {}));
  Value *Pred = CI.getArgOperand(CI.arg_size() - 1);
  Value *R =
      B.CreateCall(runtime("__fxcpu_syncthreads_reduce", I32, {I32, I32}),
                   {B.getInt32(*Op), B.CreateZExt(Pred, I32)});
  if (CI.getType()->isIntegerTy(1))
    return B.CreateICmpNE(R, B.getInt32(0));
  return R;
}

Expected<Value *> Lowering::warpCollective(IRBuilder<> &B, CallInst &CI,
                                           ArrayRef<StringRef> T) {
  Type *I32 = B.getInt32Ty(), *I64 = B.getInt64Ty();
  bool Sync = T.size() > 1 && T[1] == "sync";
  auto Arg = [&](unsigned I) { return CI.getArgOperand(I); };
  Value *FullMask = B.getInt32(~0u);

  if (T[0] == "shfl") {
    unsigned Mode = StringSwitch<unsigned>(T[Sync ? 2 : 1])
                        .Case("idx", FXCPU_SHFL_IDX)
                        .Case("up", FXCPU_SHFL_UP)
                        .Case("down", FXCPU_SHFL_DOWN)
                        .Default(FXCPU_SHFL_BFLY);
    unsigned First = Sync ? 1 : 0;
    Value *Mask = Sync ? Arg(0) : FullMask;
    Value *Val = Arg(First);
    Value *R =
        B.CreateCall(runtime("__fxcpu_shfl", I64, {I32, I32, I32, I32, I32}),
                     {B.getInt32(Mode), Mask, B.CreateBitCast(Val, I32),
                      Arg(First + 1), Arg(First + 2)});
    Value *Out = B.CreateBitCast(B.CreateTrunc(R, I32), Val->getType());
    if (!CI.getType()->isStructTy())
      return Out;
    Value *Pred = B.CreateTrunc(B.CreateLShr(R, 32), B.getInt1Ty());
    Value *Pair = B.CreateInsertValue(PoisonValue::get(CI.getType()), Out, 0);
    return B.CreateInsertValue(Pair, Pred, 1);
  }
  if (T[0] == "vote") {
    unsigned Mode = StringSwitch<unsigned>(T[1])
                        .Case("all", FXCPU_VOTE_ALL)
                        .Case("any", FXCPU_VOTE_ANY)
                        .Case("uni", FXCPU_VOTE_UNI)
                        .Default(FXCPU_VOTE_BALLOT);
    bool HasMask = T.size() > 2 && T[2] == "sync";
    Value *Pred = Arg(HasMask ? 1 : 0);
    Value *R = B.CreateCall(runtime("__fxcpu_vote", I32, {I32, I32, I32}),
                            {B.getInt32(Mode), HasMask ? Arg(0) : FullMask,
                             B.CreateZExt(Pred, I32)});
    if (CI.getType()->isIntegerTy(1))
      return B.CreateICmpNE(R, B.getInt32(0));
    return R;
  }
  if (T[0] == "activemask")
    return B.CreateCall(runtime("__fxcpu_activemask", I32, {}));
  if (T[0] == "match" && T.size() == 4) {
    Value *Val = B.CreateZExt(Arg(1), I64);
    if (T[1] == "any")
      return B.CreateCall(runtime("__fxcpu_match_any", I32, {I32, I64}),
                          {Arg(0), Val});
    Value *R = B.CreateCall(runtime("__fxcpu_match_all", I64, {I32, I64}),
                            {Arg(0), Val});
    Value *Pair = B.CreateInsertValue(PoisonValue::get(CI.getType()),
                                      B.CreateTrunc(R, I32), 0);
    return B.CreateInsertValue(
        Pair, B.CreateTrunc(B.CreateLShr(R, 32), B.getInt1Ty()), 1);
  }
  if (T[0] == "redux" && T.size() == 3 && CI.getType()->isIntegerTy(32)) {
    unsigned Op = StringSwitch<unsigned>(T[2])
                      .Case("add", FXCPU_RED_ADD)
                      .Case("min", FXCPU_RED_MIN)
                      .Case("max", FXCPU_RED_MAX)
                      .Case("umin", FXCPU_RED_UMIN)
                      .Case("umax", FXCPU_RED_UMAX)
                      .Case("and", FXCPU_RED_AND)
                      .Case("or", FXCPU_RED_OR)
                      .Default(FXCPU_RED_XOR);
    return B.CreateCall(runtime("__fxcpu_redux", I32, {I32, I32, I32}),
                        {B.getInt32(Op), Arg(1), Arg(0)});
  }
  return retargetError("warp operation 'llvm.nvvm." + joined(T, '.') +
                       "' is not supported");
}

Expected<Value *> Lowering::atomic(IRBuilder<> &B, CallInst &CI,
                                   ArrayRef<StringRef> T) {
  // llvm.nvvm.atomic.<op>.gen.<i|f>.<scope>.<type>.<ptr>: the scope only
  // narrows visibility on the GPU, so a system-wide host atomic is exact.
  if (T.size() < 3)
    return retargetError("atomic 'llvm.nvvm." + joined(T, '.') +
                         "' is not supported");
  Value *Ptr = CI.getArgOperand(0);
  auto Order = AtomicOrdering::SequentiallyConsistent;
  if (T[1] == "cas") {
    Value *Pair =
        B.CreateAtomicCmpXchg(Ptr, CI.getArgOperand(1), CI.getArgOperand(2),
                              MaybeAlign(), Order, Order);
    return B.CreateExtractValue(Pair, 0);
  }
  bool IsFloat = CI.getType()->isFloatingPointTy();
  std::optional<AtomicRMWInst::BinOp> Op =
      StringSwitch<std::optional<AtomicRMWInst::BinOp>>(T[1])
          .Case("add", IsFloat ? AtomicRMWInst::FAdd : AtomicRMWInst::Add)
          .Case("exch", AtomicRMWInst::Xchg)
          .Case("max", AtomicRMWInst::Max)
          .Case("min", AtomicRMWInst::Min)
          .Case("inc", AtomicRMWInst::UIncWrap)
          .Case("dec", AtomicRMWInst::UDecWrap)
          .Case("and", AtomicRMWInst::And)
          .Case("or", AtomicRMWInst::Or)
          .Case("xor", AtomicRMWInst::Xor)
          .Default(std::nullopt);
  if (!Op)
    return retargetError("atomic 'llvm.nvvm." + joined(T, '.') +
                         "' is not supported");
  return B.CreateAtomicRMW(*Op, Ptr, CI.getArgOperand(1), MaybeAlign(), Order);
}

/// Operations the host computes natively. Rounding-mode tokens: rn is the
/// host default; rz, rm and rp truncate, floor and ceil before an integer
/// conversion, and otherwise need the runtime.
std::optional<Value *> Lowering::arithmetic(IRBuilder<> &B, CallInst &CI,
                                            ArrayRef<StringRef> T,
                                            ArrayRef<Value *> A) {
  Type *Ty = CI.getType();
  StringRef Op = T[0];
  StringRef Mode = T.size() > 1 ? T[1] : "";
  bool Nearest = Mode == "rn" || Mode == "approx" || Mode == "f" || Mode == "d";
  auto Unary = [&](Intrinsic::ID ID) {
    return B.CreateUnaryIntrinsic(ID, A[0]);
  };
  auto One = [&] { return ConstantFP::get(Ty, 1.0); };

  if (Op == "fabs")
    return Unary(Intrinsic::fabs);
  if (Op == "floor")
    return Unary(Intrinsic::floor);
  if (Op == "ceil")
    return Unary(Intrinsic::ceil);
  if (Op == "trunc")
    return Unary(Intrinsic::trunc);
  if (Op == "round")
    return Unary(Intrinsic::roundeven);
  if ((Op == "fmin" || Op == "fmax") && T.size() == 2) {
    Intrinsic::ID ID = Op == "fmin" ? Intrinsic::minnum : Intrinsic::maxnum;
    return B.CreateBinaryIntrinsic(ID, A[0], A[1]);
  }
  if (Op == "saturate") {
    Value *Zero = ConstantFP::get(Ty, 0.0);
    Value *Low = B.CreateSelect(B.CreateFCmpOLT(A[0], One()), A[0], One());
    return B.CreateSelect(B.CreateFCmpOGT(A[0], Zero), Low, Zero);
  }
  if (Op == "ex2" && Mode == "approx")
    return Unary(Intrinsic::exp2);
  if (Op == "lg2" && Mode == "approx")
    return Unary(Intrinsic::log2);
  if (Op == "sin" && Mode == "approx")
    return Unary(Intrinsic::sin);
  if (Op == "cos" && Mode == "approx")
    return Unary(Intrinsic::cos);
  if (Op == "tanh" && Mode == "approx")
    return Unary(Intrinsic::tanh);
  if (Op == "rsqrt" && Mode == "approx")
    return B.CreateFDiv(One(), Unary(Intrinsic::sqrt));
  if (Op == "sqrt" && Nearest)
    return Unary(Intrinsic::sqrt);
  if (Op == "rcp" && Nearest)
    return B.CreateFDiv(One(), A[0]);
  if (Op == "div" && (Nearest || Mode == "full"))
    return B.CreateFDiv(A[0], A[1]);
  if (Op == "add" && Mode == "rn")
    return B.CreateFAdd(A[0], A[1]);
  if (Op == "mul" && Mode == "rn")
    return B.CreateFMul(A[0], A[1]);
  if (Op == "fma" && Mode == "rn")
    return B.CreateIntrinsic(Intrinsic::fma, {Ty}, {A[0], A[1], A[2]});

  if (Op == "d2i" && (Mode == "lo" || Mode == "hi")) {
    Value *Bits = B.CreateBitCast(A[0], B.getInt64Ty());
    if (Mode == "hi")
      Bits = B.CreateLShr(Bits, 32);
    return B.CreateTrunc(Bits, B.getInt32Ty());
  }
  if (Op == "lohi" && Mode == "i2d") {
    Value *Lo = B.CreateZExt(A[0], B.getInt64Ty());
    Value *Hi = B.CreateShl(B.CreateZExt(A[1], B.getInt64Ty()), 32);
    return B.CreateBitCast(B.CreateOr(Lo, Hi), Ty);
  }
  if (Op == "mulhi") {
    bool Signed = Mode == "i" || Mode == "ll";
    Type *Wide = B.getIntNTy(Ty->getIntegerBitWidth() * 2);
    auto Ext = [&](Value *V) {
      return Signed ? B.CreateSExt(V, Wide) : B.CreateZExt(V, Wide);
    };
    Value *P = B.CreateMul(Ext(A[0]), Ext(A[1]));
    return B.CreateTrunc(B.CreateLShr(P, Ty->getIntegerBitWidth()), Ty);
  }
  if (Op == "sad") {
    bool Signed = Mode == "i";
    Value *Greater =
        Signed ? B.CreateICmpSGT(A[0], A[1]) : B.CreateICmpUGT(A[0], A[1]);
    Value *Diff = B.CreateSelect(Greater, B.CreateSub(A[0], A[1]),
                                 B.CreateSub(A[1], A[0]));
    return B.CreateAdd(Diff, A[2]);
  }

  // Conversions: <src>2<dst>.<mode>, e.g. f2i.rm, ull2d.rn, d2f.rz.
  size_t Two = Op.find('2');
  if (Two == StringRef::npos || T.size() != 2 || Op == "ex2" || Op == "lg2")
    return std::nullopt;
  StringRef Src = Op.take_front(Two), Dst = Op.drop_front(Two + 1);
  auto IsInt = [](StringRef S) {
    return S == "i" || S == "ui" || S == "ll" || S == "ull";
  };
  bool SrcFloat = Src == "f" || Src == "d";
  bool DstFloat = Dst == "f" || Dst == "d";
  if (!(SrcFloat || IsInt(Src)) || !(DstFloat || IsInt(Dst)))
    return std::nullopt;
  if (SrcFloat && !DstFloat) {
    Intrinsic::ID Round = StringSwitch<Intrinsic::ID>(Mode)
                              .Case("rn", Intrinsic::roundeven)
                              .Case("rm", Intrinsic::floor)
                              .Case("rp", Intrinsic::ceil)
                              .Default(Intrinsic::trunc);
    Value *R = Unary(Round);
    // PTX conversions saturate and map NaN to 0, as the .sat intrinsics do.
    Intrinsic::ID Sat =
        Dst.starts_with("u") ? Intrinsic::fptoui_sat : Intrinsic::fptosi_sat;
    return B.CreateIntrinsic(Sat, {Ty, R->getType()}, {R});
  }
  if (Mode != "rn")
    return std::nullopt;
  if (SrcFloat && DstFloat)
    return B.CreateFPTrunc(A[0], Ty);
  if (!SrcFloat && DstFloat)
    return Src.starts_with("u") ? B.CreateUIToFP(A[0], Ty)
                                : B.CreateSIToFP(A[0], Ty);
  return std::nullopt;
}

Expected<Value *> Lowering::lower(CallInst &CI, StringRef Name) {
  IRBuilder<> B(&CI);
  if (Name.starts_with("read.ptx.sreg."))
    return specialRegister(B, CI, Name.drop_front(strlen("read.ptx.sreg.")));
  if (Name.starts_with("barrier") || Name.starts_with("bar."))
    return barrier(B, CI, Name);
  if (Name.starts_with("membar") || Name.starts_with("fence")) {
    B.CreateFence(AtomicOrdering::SequentiallyConsistent);
    return nullptr;
  }
  if (Name.starts_with("prefetch") || Name == "nanosleep")
    return nullptr;

  SmallVector<StringRef, 6> T;
  Name.split(T, '.');
  if (T[0] == "shfl" || T[0] == "vote" || T[0] == "activemask" ||
      T[0] == "match" || T[0] == "redux")
    return warpCollective(B, CI, T);
  if (T[0] == "atomic")
    return atomic(B, CI, T);
  if (T[0] == "ldg" || T[0] == "ldu")
    return B.CreateLoad(CI.getType(), CI.getArgOperand(0));

  bool Ftz = is_contained(T, "ftz");
  erase(T, "ftz");
  // Overload suffixes (f32, f64) carry no meaning beyond the call's types.
  if (T.size() > 1 && (T.back() == "f32" || T.back() == "f64"))
    T.pop_back();
  SmallVector<Value *, 3> Args;
  for (Value *A : CI.args())
    Args.push_back(Ftz ? flush(B, A) : A);

  Value *R = nullptr;
  if (std::optional<Value *> Native = arithmetic(B, CI, T, Args)) {
    R = *Native;
  } else {
    SmallVector<Type *, 3> Params;
    for (Value *A : Args)
      Params.push_back(A->getType());
    R = B.CreateCall(
        runtime("__fxcpu_nvvm_" + joined(T, '_'), CI.getType(), Params, true),
        Args);
  }
  return Ftz ? flush(B, R) : R;
}

} // namespace

Error lowerNvvmIntrinsics(Module &M) {
  Lowering L(M);
  for (Function &F : make_early_inc_range(M)) {
    StringRef Name = F.getName();
    if (!Name.consume_front("llvm.nvvm."))
      continue;
    for (User *U : make_early_inc_range(F.users())) {
      auto *CI = dyn_cast<CallInst>(U);
      if (!CI || CI->getCalledFunction() != &F)
        return retargetError("llvm.nvvm." + Name +
                             " is used other than by a direct call");
      Expected<Value *> R = L.lower(*CI, Name);
      if (!R)
        return retargetError(toString(R.takeError()) + " (in function '" +
                             CI->getFunction()->getName() + "')");
      if (*R && !CI->getType()->isVoidTy())
        CI->replaceAllUsesWith(*R);
      CI->eraseFromParent();
    }
    F.eraseFromParent();
  }
  return Error::success();
}

} // namespace fluxion::cudacpu
