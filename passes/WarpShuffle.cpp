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

namespace {

/// The lane that \p Lane reads in \p S, by PTX's rule for shfl.sync: the
/// clamp operand packs a segment mask (bits 8-12, the lanes a shuffle of
/// width w keeps: 32 - w) and the last lane of a segment (the first for up);
/// a lane whose source falls outside its range reads itself.
Value *sourceLane(IRBuilderBase &B, const Shuffle &S, Value *Lane) {
  Value *SegmentMask = B.CreateAnd(B.CreateLShr(S.Clamp, 8), LastLane);
  Value *InSegment = B.CreateXor(SegmentMask, LastLane);
  Value *MinLane = B.CreateAnd(Lane, SegmentMask);
  Value *MaxLane = B.CreateOr(MinLane, B.CreateAnd(S.Clamp, InSegment));
  Value *Offset = B.CreateAnd(S.Offset, LastLane);
  Value *Source = nullptr, *InRange = nullptr;
  switch (S.Mode) {
  case ShuffleMode::Up:
    Source = B.CreateSub(Lane, Offset);
    InRange = B.CreateICmpSGE(Source, MaxLane);
    break;
  case ShuffleMode::Down:
    Source = B.CreateAdd(Lane, Offset);
    InRange = B.CreateICmpSLE(Source, MaxLane);
    break;
  case ShuffleMode::Butterfly:
    Source = B.CreateXor(Lane, Offset);
    InRange = B.CreateICmpSLE(Source, MaxLane);
    break;
  case ShuffleMode::Index:
    Source = B.CreateOr(MinLane, B.CreateAnd(Offset, InSegment));
    InRange = B.CreateICmpSLE(Source, MaxLane);
    break;
  }
  return B.CreateSelect(InRange, Source, Lane, "shfl.source");
}

/// The internal function that gives each lane of \p Mask the sum of the
/// values of the lanes that read it: (mask, value, source lane) -> sum over
/// the lanes k of the mask whose source is this lane of k's value. It visits
/// the 32 lanes in turn, so it undoes any shuffle, at 64 shuffles' cost.
Function &gatherFunction(Module &M, Type *Ty) {
  std::string Name =
      ("fluxion.shfl.gather." + Twine(Ty->isFloatTy() ? "f32" : "f64")).str();
  if (Function *F = M.getFunction(Name))
    return *F;
  LLVMContext &Ctx = M.getContext();
  Type *I32 = Type::getInt32Ty(Ctx);
  auto *F = Function::Create(FunctionType::get(Ty, {I32, Ty, I32}, false),
                             GlobalValue::InternalLinkage, Name, M);
  F->addFnAttr(Attribute::Convergent);
  F->addFnAttr(Attribute::NoUnwind);
  Value *Mask = F->getArg(0), *Data = F->getArg(1), *Source = F->getArg(2);
  auto *Entry = BasicBlock::Create(Ctx, "entry", F);
  auto *Loop = BasicBlock::Create(Ctx, "lanes", F);
  auto *Exit = BasicBlock::Create(Ctx, "exit", F);
  IRBuilder<> B(Entry);
  Value *Lane = B.CreateIntrinsic(Intrinsic::nvvm_read_ptx_sreg_laneid, {});
  B.CreateBr(Loop);

  B.SetInsertPoint(Loop);
  PHINode *Other = B.CreatePHI(I32, 2, "other");
  PHINode *Sum = B.CreatePHI(Ty, 2, "sum");
  Shuffle Read{ShuffleMode::Index, Mask, /*Data=*/nullptr, Other,
               B.getInt32(LastLane)};
  Value *OtherValue = emitShuffle(B, Read, Data);
  Value *OtherSource = B.CreateIntrinsic(Intrinsic::nvvm_shfl_sync_idx_i32,
                                         {Mask, Source, Other, Read.Clamp});
  // Lanes outside the mask give undefined values; they are skipped.
  Value *InMask = B.CreateTrunc(B.CreateLShr(Mask, Other), B.getInt1Ty());
  Value *ReadsThis = B.CreateAnd(InMask, B.CreateICmpEQ(OtherSource, Lane));
  Value *Next = B.CreateFAdd(
      Sum, B.CreateSelect(ReadsThis, OtherValue, ConstantFP::get(Ty, 0.0)));
  Value *NextLane = B.CreateAdd(Other, B.getInt32(1));
  Other->addIncoming(B.getInt32(0), Entry);
  Other->addIncoming(NextLane, Loop);
  Sum->addIncoming(ConstantFP::get(Ty, 0.0), Entry);
  Sum->addIncoming(Next, Loop);
  B.CreateCondBr(B.CreateICmpEQ(NextLane, B.getInt32(LastLane + 1)), Exit,
                 Loop);

  B.SetInsertPoint(Exit);
  B.CreateRet(Next);
  return *F;
}

/// The width of the segments of \p S when its adjoint can run the movement
/// backwards with shuffles of that width, the form
/// `__shfl_*_sync(mask, v, k, width)` takes: a constant offset, a
/// power-of-two width whose clamp is its segment's edge (the first lane for
/// up), and for butterflies an offset inside the segment.
std::optional<unsigned> segmentWidth(const Shuffle &S) {
  auto *Clamp = dyn_cast<ConstantInt>(S.Clamp);
  auto *Offset = dyn_cast<ConstantInt>(S.Offset);
  if (!Clamp || !Offset)
    return std::nullopt;
  uint64_t C = Clamp->getZExtValue();
  unsigned InSegment = ~(C >> 8) & LastLane, ClampLane = C & LastLane;
  bool UpClamp = S.Mode == ShuffleMode::Up;
  if (!isPowerOf2_32(InSegment + 1) ||
      (ClampLane & InSegment) != (UpClamp ? 0 : InSegment))
    return std::nullopt;
  unsigned Width = InSegment + 1;
  if (S.Mode == ShuffleMode::Butterfly &&
      (Offset->getZExtValue() & LastLane) >= Width)
    return std::nullopt;
  return Width;
}

/// Whether \p Mask holds whole segments of \p Width lanes, so that every
/// lane a segment-wise shuffle reads takes part.
bool wholeSegments(uint32_t Mask, unsigned Width) {
  uint32_t Segment = Width == 32 ? ~0u : (1u << Width) - 1;
  for (unsigned First = 0; First < 32; First += Width)
    if (uint32_t Bits = Mask >> First & Segment; Bits && Bits != Segment)
      return false;
  return true;
}

/// The adjoint of \p S (segmentWidth(S) is \p Width) when every lane of its
/// mask has its whole segment in the mask: the movement run backwards with
/// shuffles of the same width.
Value *segmentAdjoint(IRBuilderBase &B, const Shuffle &S, unsigned Width,
                      Value *DY) {
  // An exchange inside each segment is its own inverse.
  if (S.Mode == ShuffleMode::Butterfly)
    return emitShuffle(B, S, DY);
  unsigned InSegment = Width - 1, SegmentMask = ~InSegment & LastLane;
  unsigned Offset = cast<ConstantInt>(S.Offset)->getZExtValue() & LastLane;
  Value *Lane = B.CreateIntrinsic(Intrinsic::nvvm_read_ptx_sreg_laneid, {});
  Value *Position = B.CreateAnd(Lane, InSegment, "segment.position");
  Value *Zero = Constant::getNullValue(DY->getType());
  if (S.Mode == ShuffleMode::Index) {
    // Every lane of a segment read the same lane: it gets their sum.
    Value *Sum = DY;
    for (unsigned Distance = Width / 2; Distance; Distance /= 2) {
      Shuffle Exchange{ShuffleMode::Butterfly, S.Mask, /*Data=*/nullptr,
                       B.getInt32(Distance),
                       B.getInt32(SegmentMask << 8 | LastLane)};
      Sum = B.CreateFAdd(Sum, emitShuffle(B, Exchange, Sum));
    }
    return B.CreateSelect(
        B.CreateICmpEQ(Position, B.getInt32(Offset & InSegment)), Sum, Zero);
  }
  // down by d: lane t read lane t + d, or itself past its segment's end; up
  // by d: lane t read lane t - d, or itself before its segment's lane d.
  bool Down = S.Mode == ShuffleMode::Down;
  Shuffle Back{Down ? ShuffleMode::Up : ShuffleMode::Down, S.Mask,
               /*Data=*/nullptr, S.Offset,
               B.getInt32(SegmentMask << 8 | (Down ? 0 : LastLane))};
  Value *FromOthers = emitShuffle(B, Back, DY);
  Value *D = B.getInt32(Offset);
  Value *Last = B.getInt32(InSegment);
  Value *PartnerInSegment =
      Down ? B.CreateICmpUGE(Position, D)
           : B.CreateICmpULE(B.CreateAdd(Position, D), Last);
  Value *ReadItself = Down ? B.CreateICmpUGT(B.CreateAdd(Position, D), Last)
                           : B.CreateICmpULT(Position, D);
  Value *FromPartner = B.CreateSelect(PartnerInSegment, FromOthers, Zero);
  Value *FromItself = B.CreateSelect(ReadItself, DY, Zero);
  return B.CreateFAdd(FromPartner, FromItself);
}

/// The adjoint of any shuffle: each lane's adjoint goes to the lane it read.
Value *gatherAdjoint(IRBuilderBase &B, const Shuffle &S, Value *DY) {
  Value *Lane = B.CreateIntrinsic(Intrinsic::nvvm_read_ptx_sreg_laneid, {});
  Module &M = *B.GetInsertBlock()->getModule();
  return B.CreateCall(&gatherFunction(M, DY->getType()),
                      {S.Mask, DY, sourceLane(B, S, Lane)});
}

/// The internal function (mask, adjoint) -> the adjoint of \p S for a mask
/// known only at run time (`__activemask()`, a cooperative-groups tile):
/// segmentAdjoint when every lane of the mask has its whole segment in it,
/// which the lanes decide together with a vote, gatherAdjoint otherwise.
Function &maskedAdjointFunction(Module &M, const Shuffle &S, unsigned Width,
                                Type *Ty) {
  std::string Name = ("fluxion.shfl.adjoint." + modeName(S.Mode) + "." +
                      Twine(cast<ConstantInt>(S.Offset)->getZExtValue()) + "." +
                      Twine(cast<ConstantInt>(S.Clamp)->getZExtValue()) +
                      (Ty->isFloatTy() ? ".f32" : ".f64"))
                         .str();
  if (Function *F = M.getFunction(Name))
    return *F;
  LLVMContext &Ctx = M.getContext();
  Type *I32 = Type::getInt32Ty(Ctx);
  auto *F = Function::Create(FunctionType::get(Ty, {I32, Ty}, false),
                             GlobalValue::InternalLinkage, Name, M);
  F->addFnAttr(Attribute::AlwaysInline);
  F->addFnAttr(Attribute::Convergent);
  F->addFnAttr(Attribute::NoUnwind);
  Shuffle Inside = S;
  Inside.Mask = F->getArg(0);
  Value *DY = F->getArg(1);
  auto *Entry = BasicBlock::Create(Ctx, "entry", F);
  auto *Segments = BasicBlock::Create(Ctx, "segments", F);
  auto *Lanes = BasicBlock::Create(Ctx, "lanes", F);

  IRBuilder<> B(Entry);
  Value *Lane = B.CreateIntrinsic(Intrinsic::nvvm_read_ptx_sreg_laneid, {});
  Value *First = B.CreateAnd(Lane, ~(Width - 1) & LastLane);
  Value *Segment =
      B.CreateShl(B.getInt32(Width == 32 ? ~0u : (1u << Width) - 1), First);
  Value *Whole =
      B.CreateICmpEQ(B.CreateAnd(Inside.Mask, Segment), Segment, "whole");
  Value *AllWhole =
      B.CreateIntrinsic(Intrinsic::nvvm_vote_all_sync, {Inside.Mask, Whole});
  B.CreateCondBr(AllWhole, Segments, Lanes);

  B.SetInsertPoint(Segments);
  B.CreateRet(segmentAdjoint(B, Inside, Width, DY));
  B.SetInsertPoint(Lanes);
  B.CreateRet(gatherAdjoint(B, Inside, DY));
  return *F;
}

} // namespace

Value *emitShuffleAdjoint(IRBuilderBase &B, const Shuffle &S, Value *DY) {
  std::optional<unsigned> Width = segmentWidth(S);
  if (!Width)
    return gatherAdjoint(B, S, DY);
  if (auto *Mask = dyn_cast<ConstantInt>(S.Mask))
    return wholeSegments(Mask->getZExtValue(), *Width)
               ? segmentAdjoint(B, S, *Width, DY)
               : gatherAdjoint(B, S, DY);
  Module &M = *B.GetInsertBlock()->getModule();
  return B.CreateCall(&maskedAdjointFunction(M, S, *Width, DY->getType()),
                      {S.Mask, DY});
}

} // namespace fluxion
