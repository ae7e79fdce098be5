//===- VectorReductions.cpp - Derivatives of float vector reductions ------===//

#include "VectorReductions.h"

#include "llvm/IR/IntrinsicInst.h"

using namespace llvm;

namespace fluxion {

bool isFloatReduction(const CallBase &Call) {
  const auto *II = dyn_cast<IntrinsicInst>(&Call);
  if (!II || !II->getType()->isFloatingPointTy())
    return false;
  switch (II->getIntrinsicID()) {
  case Intrinsic::vector_reduce_fadd:
  case Intrinsic::vector_reduce_fmax:
  case Intrinsic::vector_reduce_fmin:
  case Intrinsic::vector_reduce_fmaximum:
  case Intrinsic::vector_reduce_fminimum:
    return true;
  default:
    return false;
  }
}

/// The lanes of \p Vector equal to \p Result.
static Value *pickedLanes(IRBuilderBase &B, Value *Vector, Value *Result) {
  auto *Ty = cast<VectorType>(Vector->getType());
  return B.CreateFCmpOEQ(Vector,
                         B.CreateVectorSplat(Ty->getElementCount(), Result));
}

Value *emitReductionTangent(IRBuilderBase &B, const IntrinsicInst &Reduction,
                            Value *Vector, Value *Result, Value *StartTangent,
                            Value *VectorTangent) {
  Type *Ty = Reduction.getType();
  if (Reduction.getIntrinsicID() == Intrinsic::vector_reduce_fadd)
    return B.CreateFAddReduce(StartTangent, VectorTangent);
  Value *Picked = B.CreateSelect(pickedLanes(B, Vector, Result), VectorTangent,
                                 Constant::getNullValue(Vector->getType()));
  return B.CreateFAddReduce(ConstantFP::getNegativeZero(Ty), Picked);
}

std::pair<Value *, Value *>
emitReductionAdjoints(IRBuilderBase &B, const IntrinsicInst &Reduction,
                      Value *Vector, Value *Result, Value *Seed) {
  auto *Ty = cast<VectorType>(Vector->getType());
  Value *Everywhere = B.CreateVectorSplat(Ty->getElementCount(), Seed);
  if (Reduction.getIntrinsicID() == Intrinsic::vector_reduce_fadd)
    return {Seed, Everywhere};
  return {nullptr, B.CreateSelect(pickedLanes(B, Vector, Result), Everywhere,
                                  Constant::getNullValue(Ty))};
}

} // namespace fluxion
