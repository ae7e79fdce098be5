//===- IntegerViews.cpp - Floats that SIMD code handles as integers -------===//

#include "IntegerViews.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Analysis/ConstantFolding.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/Transforms/Utils/Local.h"

#include <optional>

using namespace llvm;

namespace fluxion {

/// \p Mask, a shuffle mask over integer lanes, as a mask over float lanes
/// \p Ratio times wider: each group of \p Ratio result lanes must take one
/// whole float lane, in order. None where the shuffle splits a float.
static std::optional<SmallVector<int, 8>> floatLaneMask(ArrayRef<int> Mask,
                                                        unsigned Ratio) {
  if (Mask.size() % Ratio)
    return std::nullopt;
  SmallVector<int, 8> Lanes;
  for (unsigned Group = 0; Group < Mask.size(); Group += Ratio) {
    ArrayRef<int> Parts = Mask.slice(Group, Ratio);
    if (all_of(Parts, [](int M) { return M < 0; })) {
      Lanes.push_back(PoisonMaskElem);
      continue;
    }
    if (Parts[0] < 0 || Parts[0] % Ratio)
      return std::nullopt;
    for (unsigned Part = 1; Part < Ratio; ++Part)
      if (Parts[Part] != Parts[0] + int(Part))
        return std::nullopt;
    Lanes.push_back(Parts[0] / Ratio);
  }
  return Lanes;
}

/// \p V, an integer vector, viewed as a vector of \p FloatLane: the floats
/// it was cast from where it is such a view, else a bitcast.
static Value *asFloats(IRBuilderBase &B, Value *V, Type *FloatLane) {
  auto *IntTy = cast<FixedVectorType>(V->getType());
  unsigned Bits = IntTy->getPrimitiveSizeInBits().getFixedValue();
  auto *FloatTy = FixedVectorType::get(
      FloatLane, Bits / FloatLane->getPrimitiveSizeInBits().getFixedValue());
  if (isa<PoisonValue>(V))
    return PoisonValue::get(FloatTy);
  if (auto *View = dyn_cast<BitCastInst>(V))
    if (View->getSrcTy() == FloatTy)
      return View->getOperand(0);
  return B.CreateBitCast(V, FloatTy);
}

/// `bitcast (shufflevector <N x iM> a, b, mask) to <K x float type>` whose
/// mask moves whole float lanes is the shuffle of the float views of a and
/// b (Eigen's vec2d_swizzle1 broadcasts doubles with _mm_shuffle_epi32).
static bool floatLaneShuffle(BitCastInst &Out) {
  auto *Shuffle = dyn_cast<ShuffleVectorInst>(Out.getOperand(0));
  auto *ToTy = dyn_cast<FixedVectorType>(Out.getDestTy());
  if (!Shuffle || !ToTy || !ToTy->getElementType()->isFloatingPointTy() ||
      !Shuffle->getType()->isIntOrIntVectorTy())
    return false;
  Type *FloatLane = ToTy->getElementType();
  unsigned IntBits = Shuffle->getType()->getScalarSizeInBits();
  unsigned FloatBits = FloatLane->getPrimitiveSizeInBits().getFixedValue();
  auto *InTy = cast<FixedVectorType>(Shuffle->getOperand(0)->getType());
  if (FloatBits % IntBits || InTy->getNumElements() % (FloatBits / IntBits))
    return false;
  std::optional<SmallVector<int, 8>> Lanes =
      floatLaneMask(Shuffle->getShuffleMask(), FloatBits / IntBits);
  if (!Lanes)
    return false;
  IRBuilder<> B(&Out);
  Value *Left = asFloats(B, Shuffle->getOperand(0), FloatLane);
  Value *Right = asFloats(B, Shuffle->getOperand(1), FloatLane);
  Value *Float = B.CreateShuffleVector(Left, Right, *Lanes);
  Float->takeName(&Out);
  Out.replaceAllUsesWith(Float);
  Out.eraseFromParent();
  RecursivelyDeleteTriviallyDeadInstructions(Shuffle);
  return true;
}

/// `bitcast (load <N x iM>) to <K x float type>`: the load reads floats.
static bool floatLoad(BitCastInst &Out) {
  auto *Load = dyn_cast<LoadInst>(Out.getOperand(0));
  if (!Load || !Load->isSimple() || !Out.getDestTy()->isFPOrFPVectorTy() ||
      !Load->getType()->isIntOrIntVectorTy())
    return false;
  IRBuilder<> B(Load);
  LoadInst *Float = B.CreateAlignedLoad(
      Out.getDestTy(), Load->getPointerOperand(), Load->getAlign());
  Float->copyMetadata(*Load);
  Out.replaceAllUsesWith(Float);
  Float->takeName(&Out);
  Out.eraseFromParent();
  if (Load->use_empty())
    Load->eraseFromParent();
  return true;
}

/// What a bitwise operation with a constant does to one floating lane.
enum class SignOp { Keep, Negate, Abs, NegAbs };

/// The effect of `Opcode` with mask \p Mask on a lane of \p Bits bits: the
/// sign bit flipped (xor), cleared (and) or set (or), or nothing; None for
/// any other mask, which really takes the float apart.
static std::optional<SignOp> signOp(Instruction::BinaryOps Opcode,
                                    const APInt &Mask) {
  APInt Sign = APInt::getSignMask(Mask.getBitWidth());
  switch (Opcode) {
  case Instruction::Xor:
    if (Mask.isZero())
      return SignOp::Keep;
    return Mask == Sign ? std::optional(SignOp::Negate) : std::nullopt;
  case Instruction::And:
    if (Mask.isAllOnes())
      return SignOp::Keep;
    return Mask == ~Sign ? std::optional(SignOp::Abs) : std::nullopt;
  case Instruction::Or:
    if (Mask.isZero())
      return SignOp::Keep;
    return Mask == Sign ? std::optional(SignOp::NegAbs) : std::nullopt;
  default:
    return std::nullopt;
  }
}

/// SIMD code negates floats by xor with the sign bit, takes absolute
/// values by and with its complement, and sets it with or (Eigen's pnegate,
/// pabs): bit operations through integer views of the floats. They become
/// the floating operations they are, lane by lane, so they differentiate.
static bool floatSignBitOperation(BitCastInst &Out) {
  auto *Op = dyn_cast<BinaryOperator>(Out.getOperand(0));
  if (!Op || !Out.getDestTy()->isFPOrFPVectorTy())
    return false;
  auto *In = dyn_cast<BitCastInst>(Op->getOperand(0));
  auto *Mask = dyn_cast<Constant>(Op->getOperand(1));
  if (!In || !Mask || In->getSrcTy() != Out.getDestTy())
    return false;
  // The mask as integers of the float lanes' width.
  Type *FloatTy = Out.getDestTy();
  Type *LaneInt =
      IntegerType::get(Out.getContext(), FloatTy->getScalarSizeInBits());
  Type *MaskTy = FloatTy->isVectorTy()
                     ? VectorType::get(LaneInt, cast<VectorType>(FloatTy))
                     : LaneInt;
  Constant *Lanes = ConstantFoldCastOperand(Instruction::BitCast, Mask, MaskTy,
                                            Out.getDataLayout());
  unsigned NumLanes = FloatTy->isVectorTy()
                          ? cast<FixedVectorType>(FloatTy)->getNumElements()
                          : 1;
  SmallVector<SignOp, 4> Ops;
  for (unsigned Lane = 0; Lane < NumLanes && Lanes; ++Lane) {
    Constant *Bits =
        FloatTy->isVectorTy() ? Lanes->getAggregateElement(Lane) : Lanes;
    auto *C = dyn_cast_or_null<ConstantInt>(Bits);
    std::optional<SignOp> Effect =
        C ? signOp(Op->getOpcode(), C->getValue()) : std::nullopt;
    if (!Effect)
      break;
    Ops.push_back(*Effect);
  }
  if (Ops.size() != NumLanes)
    return false;
  IRBuilder<> B(&Out);
  Value *X = In->getOperand(0);
  Value *Abs = nullptr;
  auto AbsOfX = [&] {
    if (!Abs)
      Abs = B.CreateUnaryIntrinsic(Intrinsic::fabs, X);
    return Abs;
  };
  auto Result = [&](SignOp Effect) -> Value * {
    switch (Effect) {
    case SignOp::Keep:
      return X;
    case SignOp::Negate:
      return B.CreateFNeg(X);
    case SignOp::Abs:
      return AbsOfX();
    case SignOp::NegAbs:
      return B.CreateFNeg(AbsOfX());
    }
    llvm_unreachable("covered");
  };
  Value *New = nullptr;
  if (all_equal(Ops)) {
    New = Result(Ops.front());
  } else {
    // Mixed lanes: each lane takes its own result.
    New = X;
    for (unsigned Lane = 0; Lane < NumLanes; ++Lane)
      if (Ops[Lane] != SignOp::Keep)
        New = B.CreateInsertElement(
            New, B.CreateExtractElement(Result(Ops[Lane]), Lane), Lane);
  }
  Out.replaceAllUsesWith(New);
  Out.eraseFromParent();
  RecursivelyDeleteTriviallyDeadInstructions(Op);
  return true;
}

void floatIntegerViews(Function &F) {
  // Each rewrite may expose another (a shuffle of a loaded packet), and
  // removes instructions anywhere before it: a worklist of handles that
  // notice their deletion.
  bool Changed = true;
  while (Changed) {
    Changed = false;
    SmallVector<WeakTrackingVH, 32> Views;
    for (Instruction &I : instructions(F))
      if (isa<BitCastInst>(I))
        Views.push_back(&I);
    for (WeakTrackingVH &View : Views)
      if (auto *Out = dyn_cast_or_null<BitCastInst>(View))
        Changed |= floatLaneShuffle(*Out) || floatLoad(*Out) ||
                   floatSignBitOperation(*Out);
  }
}

} // namespace fluxion
