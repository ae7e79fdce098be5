//===- StandInShadows.cpp - Shadows of memory that has none ---------------===//

#include "StandInShadows.h"

#include "ActivityAnalysis.h"
#include "ShadowMemory.h"

#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/IR/Instructions.h"

using namespace llvm;

namespace fluxion {

bool StandInAnalysis::mayBeStandIn(const Value *Ptr) {
  auto Found = Known.find(Ptr);
  if (Found != Known.end())
    return Found->second;
  // Walk back through address arithmetic, phis and selects to where the
  // shadows come from; a phi cycle adds no source of its own.
  SmallVector<const Value *, 8> Worklist{Ptr};
  SmallPtrSet<const Value *, 16> Seen{Ptr};
  bool Result = false;
  while (!Worklist.empty() && !Result) {
    const Value *V = Worklist.pop_back_val();
    auto Follow = [&](const Value *Op) {
      if (Op->getType()->isPtrOrPtrVectorTy() && Seen.insert(Op).second)
        Worklist.push_back(Op);
    };
    // Constant addresses have shadows of their own (constantShadow).
    if (isa<Constant>(V))
      continue;
    if (!AA.hasShadow(V)) {
      Result = true;
    } else if (isa<AllocaInst>(V)) {
      continue;
    } else if (const auto *A = dyn_cast<Argument>(V)) {
      unsigned No = A->getArgNo();
      Result = No >= 64 || (Request.StandInArgs >> No & 1);
    } else if (const auto *Call = dyn_cast<CallBase>(V)) {
      // A callee's shadow result may have been read from memory.
      Result = allocationKind(*Call) == AllocationKind::None;
    } else if (isa<GetElementPtrInst, CastInst, FreezeInst>(V)) {
      Follow(cast<Instruction>(V)->getOperand(0));
    } else if (isa<PHINode, SelectInst>(V)) {
      for (const Use &U : cast<Instruction>(V)->operands())
        Follow(U.get());
    } else {
      // Loaded from memory, where a stand-in may have been stored.
      Result = true;
    }
  }
  Known[Ptr] = Result;
  return Result;
}

uint64_t StandInAnalysis::standInArguments(const CallBase &Call) {
  uint64_t Mask = 0;
  for (const Use &U : Call.args()) {
    unsigned No = Call.getArgOperandNo(&U);
    if (No < 64 && U->getType()->isPtrOrPtrVectorTy() && AA.hasShadow(U) &&
        mayBeStandIn(U))
      Mask |= uint64_t(1) << No;
  }
  return Mask;
}

Value *isStandIn(IRBuilderBase &B, Value *Shadow, Value *Primal) {
  return B.CreateICmpEQ(Shadow, Primal, "standin");
}

Value *standInIfNull(IRBuilderBase &B, Value *Shadow, Value *Primal) {
  Value *Missing = B.CreateICmpEQ(
      Shadow, Constant::getNullValue(Shadow->getType()), "noshadow");
  return B.CreateSelect(Missing, Primal, Shadow);
}

Value *unlessStandIn(IRBuilderBase &B, Value *StandIn, Value *V) {
  return B.CreateSelect(StandIn, Constant::getNullValue(V->getType()), V);
}

ShadowCopyLengths shadowCopyLengths(IRBuilderBase &B, Value *DestStandIn,
                                    Value *SourceStandIn, Value *Length) {
  Value *Zero = Constant::getNullValue(Length->getType());
  ShadowCopyLengths Lengths{Length, Zero};
  if (SourceStandIn) {
    Lengths.Copied = unlessStandIn(B, SourceStandIn, Length);
    Lengths.Zeroed = B.CreateSelect(SourceStandIn, Length, Zero);
  }
  // Nothing is written through a stand-in destination.
  if (DestStandIn) {
    Lengths.Copied = unlessStandIn(B, DestStandIn, Lengths.Copied);
    Lengths.Zeroed = unlessStandIn(B, DestStandIn, Lengths.Zeroed);
  }
  return Lengths;
}

} // namespace fluxion
