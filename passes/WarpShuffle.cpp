//===- WarpShuffle.cpp - Derivatives of CUDA warp shuffles ----------------===//

#include "WarpShuffle.h"

#include "llvm/ADT/SetVector.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/IntrinsicsNVPTX.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/PatternMatch.h"
#include "llvm/Transforms/Utils/Local.h"

using namespace llvm;
using namespace llvm::PatternMatch;

namespace fluxion {
namespace {

constexpr StringLiteral DoubleShufflePrefix = "fluxion.shfl.sync.";
/// The clamp operand of a shuffle over the whole warp: the last lane for
/// down, butterfly and index shuffles, the first for up shuffles.
constexpr unsigned LastLane = 31;

std::optional<ShuffleMode> modeOf(Intrinsic::ID ID) {
  switch (ID) {
  case Intrinsic::nvvm_shfl_sync_down_f32:
  case Intrinsic::nvvm_shfl_sync_down_i32:
    return ShuffleMode::Down;
  case Intrinsic::nvvm_shfl_sync_up_f32:
  case Intrinsic::nvvm_shfl_sync_up_i32:
    return ShuffleMode::Up;
  case Intrinsic::nvvm_shfl_sync_bfly_f32:
  case Intrinsic::nvvm_shfl_sync_bfly_i32:
    return ShuffleMode::Butterfly;
  case Intrinsic::nvvm_shfl_sync_idx_f32:
  case Intrinsic::nvvm_shfl_sync_idx_i32:
    return ShuffleMode::Index;
  default:
    return std::nullopt;
  }
}

Intrinsic::ID intrinsicOf(ShuffleMode Mode, bool Float) {
  switch (Mode) {
  case ShuffleMode::Down:
    return Float ? Intrinsic::nvvm_shfl_sync_down_f32
                 : Intrinsic::nvvm_shfl_sync_down_i32;
  case ShuffleMode::Up:
    return Float ? Intrinsic::nvvm_shfl_sync_up_f32
                 : Intrinsic::nvvm_shfl_sync_up_i32;
  case ShuffleMode::Butterfly:
    return Float ? Intrinsic::nvvm_shfl_sync_bfly_f32
                 : Intrinsic::nvvm_shfl_sync_bfly_i32;
  case ShuffleMode::Index:
    return Float ? Intrinsic::nvvm_shfl_sync_idx_f32
                 : Intrinsic::nvvm_shfl_sync_idx_i32;
  }
  llvm_unreachable("unknown shuffle mode");
}

StringRef modeName(ShuffleMode Mode) {
  switch (Mode) {
  case ShuffleMode::Down:
    return "down";
  case ShuffleMode::Up:
    return "up";
  case ShuffleMode::Butterfly:
    return "bfly";
  case ShuffleMode::Index:
    return "idx";
  }
  llvm_unreachable("unknown shuffle mode");
}

/// The internal function shuffling a double as two 32-bit halves, as clang
/// does; after differentiation the inliner puts the halves back.
Function &doubleShuffle(Module &M, ShuffleMode Mode) {
  std::string Name = (DoubleShufflePrefix + modeName(Mode) + ".f64").str();
  if (Function *F = M.getFunction(Name))
    return *F;
  LLVMContext &Ctx = M.getContext();
  Type *I32 = Type::getInt32Ty(Ctx), *I64 = Type::getInt64Ty(Ctx);
  Type *F64 = Type::getDoubleTy(Ctx);
  auto *F =
      Function::Create(FunctionType::get(F64, {I32, F64, I32, I32}, false),
                       GlobalValue::InternalLinkage, Name, M);
  F->addFnAttr(Attribute::AlwaysInline);
  F->addFnAttr(Attribute::Convergent);
  F->addFnAttr(Attribute::NoUnwind);
  IRBuilder<> B(BasicBlock::Create(Ctx, "entry", F));
  Value *Bits = B.CreateBitCast(F->getArg(1), I64);
  Value *Halves[2] = {B.CreateTrunc(Bits, I32),
                      B.CreateTrunc(B.CreateLShr(Bits, 32), I32)};
  for (Value *&Half : Halves)
    Half = B.CreateIntrinsic(intrinsicOf(Mode, /*Float=*/false),
                             {F->getArg(0), Half, F->getArg(2), F->getArg(3)});
  Value *High = B.CreateShl(B.CreateZExt(Halves[1], I64), 32);
  Value *Joined = B.CreateOr(High, B.CreateZExt(Halves[0], I64));
  B.CreateRet(B.CreateBitCast(Joined, F64));
  return *F;
}

} // namespace

std::optional<Shuffle> asShuffle(const CallBase &Call) {
  const Function *Callee = Call.getCalledFunction();
  if (!Callee || Call.arg_size() != 4)
    return std::nullopt;
  std::optional<ShuffleMode> Mode;
  if (Callee->getIntrinsicID() != Intrinsic::not_intrinsic) {
    if (!Call.getType()->isFloatTy())
      return std::nullopt;
    Mode = modeOf(Callee->getIntrinsicID());
  } else if (Callee->getName().starts_with(DoubleShufflePrefix)) {
    StringRef Name = Callee->getName().drop_front(DoubleShufflePrefix.size());
    for (ShuffleMode M : {ShuffleMode::Down, ShuffleMode::Up,
                          ShuffleMode::Butterfly, ShuffleMode::Index})
      if (Name == (modeName(M) + ".f64").str())
        Mode = M;
  }
  if (!Mode)
    return std::nullopt;
  return Shuffle{*Mode, Call.getArgOperand(0), Call.getArgOperand(1),
                 Call.getArgOperand(2), Call.getArgOperand(3)};
}

void fuseDoubleShuffles(Function &F) {
  SmallVector<BitCastInst *, 4> Joins;
  for (Instruction &I : instructions(F))
    if (auto *Cast = dyn_cast<BitCastInst>(&I);
        Cast && Cast->getType()->isDoubleTy())
      Joins.push_back(Cast);
  for (BitCastInst *Join : Joins) {
    Value *HighShuffle, *LowShuffle, *Bits;
    if (!match(Join->getOperand(0),
               m_c_Or(m_Shl(m_ZExt(m_Value(HighShuffle)), m_SpecificInt(32)),
                      m_ZExt(m_Value(LowShuffle)))))
      continue;
    auto *High = dyn_cast<IntrinsicInst>(HighShuffle);
    auto *Low = dyn_cast<IntrinsicInst>(LowShuffle);
    if (!High || !Low || High->getIntrinsicID() != Low->getIntrinsicID() ||
        !modeOf(High->getIntrinsicID()) || !High->getType()->isIntegerTy(32))
      continue;
    bool SameControl = true;
    for (unsigned Op : {0u, 2u, 3u})
      SameControl &= High->getArgOperand(Op) == Low->getArgOperand(Op);
    Value *Source;
    if (!SameControl || !match(Low->getArgOperand(1), m_Trunc(m_Value(Bits))) ||
        !match(High->getArgOperand(1),
               m_Trunc(m_LShr(m_Specific(Bits), m_SpecificInt(32)))) ||
        !match(Bits, m_BitCast(m_Value(Source))) ||
        !Source->getType()->isDoubleTy())
      continue;
    // The join may have been sunk into a branch only some lanes take; the
    // fused shuffle stays where the halves were exchanged, by every lane.
    if (High->getParent() != Low->getParent())
      continue;
    IRBuilder<> B(High->comesBefore(Low) ? Low : High);
    Function &Helper =
        doubleShuffle(*F.getParent(), *modeOf(High->getIntrinsicID()));
    CallInst *Fused =
        B.CreateCall(&Helper, {High->getArgOperand(0), Source,
                               High->getArgOperand(2), High->getArgOperand(3)});
    Fused->setDebugLoc(Join->getDebugLoc());
    Fused->takeName(Join);
    Join->replaceAllUsesWith(Fused);
    // Shuffles are convergent, so dead ones are not deleted on their own:
    // erase the split, the two shuffles and the join, users first.
    SmallSetVector<Instruction *, 12> Dead;
    SmallVector<Value *, 12> Worklist{Join};
    while (!Worklist.empty()) {
      auto *I = dyn_cast<Instruction>(Worklist.pop_back_val());
      if (!I || I == Source || !Dead.insert(I))
        continue;
      if (auto *Half = dyn_cast<IntrinsicInst>(I))
        Worklist.push_back(Half->getArgOperand(1));
      else if (I != Bits)
        append_range(Worklist, I->operands());
    }
    SmallPtrSet<Instruction *, 12> Erased;
    for (bool Progress = true; Progress;) {
      Progress = false;
      for (Instruction *I : Dead)
        if (!Erased.contains(I) && I->use_empty()) {
          Erased.insert(I);
          I->eraseFromParent();
          Progress = true;
        }
    }
  }
}

Value *emitShuffle(IRBuilderBase &B, const Shuffle &S, Value *V) {
  if (V->getType()->isFloatTy())
    return B.CreateIntrinsic(intrinsicOf(S.Mode, /*Float=*/true),
                             {S.Mask, V, S.Offset, S.Clamp});
  Module &M = *B.GetInsertBlock()->getModule();
  return B.CreateCall(&doubleShuffle(M, S.Mode),
                      {S.Mask, V, S.Offset, S.Clamp});
}

Value *emitShuffleAdjoint(IRBuilderBase &B, const Shuffle &S, Value *DY,
                          std::string &WhyNot) {
  auto *Clamp = dyn_cast<ConstantInt>(S.Clamp);
  unsigned WholeWarp = S.Mode == ShuffleMode::Up ? 0 : LastLane;
  if (!Clamp || Clamp->getZExtValue() != WholeWarp) {
    WhyNot = "shuffles within parts of a warp (a width below 32) have no "
             "adjoint yet";
    return nullptr;
  }
  if (S.Mode == ShuffleMode::Butterfly)
    return emitShuffle(B, S, DY);
  Value *Lane = B.CreateIntrinsic(Intrinsic::nvvm_read_ptx_sreg_laneid, {});
  Value *Zero = Constant::getNullValue(DY->getType());
  if (S.Mode == ShuffleMode::Index) {
    if (!isa<ConstantInt>(S.Offset)) {
      WhyNot = "shuffles from a lane computed at run time have no adjoint "
               "yet; broadcasts from a constant lane do";
      return nullptr;
    }
    // Every lane read the source lane's value: it gets the warp's sum.
    Value *Sum = DY;
    for (unsigned Distance = 16; Distance; Distance /= 2) {
      Shuffle Exchange{ShuffleMode::Butterfly, S.Mask, /*Data=*/nullptr,
                       B.getInt32(Distance), B.getInt32(LastLane)};
      Sum = B.CreateFAdd(Sum, emitShuffle(B, Exchange, Sum));
    }
    return B.CreateSelect(B.CreateICmpEQ(Lane, S.Offset), Sum, Zero);
  }
  // down by d: lane t read lane t + d, or itself past the warp's end; up by
  // d: lane t read lane t - d, or itself before lane d.
  bool Down = S.Mode == ShuffleMode::Down;
  Shuffle Back{Down ? ShuffleMode::Up : ShuffleMode::Down, S.Mask,
               /*Data=*/nullptr, S.Offset, B.getInt32(Down ? 0 : LastLane)};
  Value *FromOthers = emitShuffle(B, Back, DY);
  Value *Partner =
      Down ? B.CreateSub(Lane, S.Offset) : B.CreateAdd(Lane, S.Offset);
  Value *PartnerInWarp = Down ? B.CreateICmpSGE(Partner, B.getInt32(0))
                              : B.CreateICmpSLE(Partner, B.getInt32(LastLane));
  Value *Source =
      Down ? B.CreateAdd(Lane, S.Offset) : B.CreateSub(Lane, S.Offset);
  Value *ReadItself = Down ? B.CreateICmpSGT(Source, B.getInt32(LastLane))
                           : B.CreateICmpSLT(Source, B.getInt32(0));
  Value *FromPartner = B.CreateSelect(PartnerInWarp, FromOthers, Zero);
  Value *FromItself = B.CreateSelect(ReadItself, DY, Zero);
  return B.CreateFAdd(FromPartner, FromItself);
}

} // namespace fluxion
