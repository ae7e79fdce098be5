//===- TypeAnalysis.cpp - What kind of data memory holds ------------------===//

#include "TypeAnalysis.h"

#include "llvm/ADT/SetVector.h"
#include "llvm/Analysis/ValueTracking.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"

using namespace llvm;

namespace fluxion {
namespace {

/// The innermost scalar type an accessed type is made of, when it is made of
/// one kind only: [4 x double] and <2 x double> are double.
Type *scalarOf(Type *Ty) {
  while (true) {
    if (auto *AT = dyn_cast<ArrayType>(Ty))
      Ty = AT->getElementType();
    else if (auto *VT = dyn_cast<VectorType>(Ty))
      Ty = VT->getElementType();
    else
      return Ty;
  }
}

class ElementDeduction {
public:
  Type *run(Value *Ptr);

private:
  void visitObject(Value *Object);
  void note(Type *Ty);

  SmallSetVector<Value *, 16> Pointers;
  SmallSetVector<Value *, 4> Objects;
  /// The floating, integer and pointer types the memory is accessed as; a
  /// floating type wins over integers of its size (the optimizer copies
  /// doubles as i64).
  Type *Floating = nullptr;
  Type *Integer = nullptr;
  Type *Pointer = nullptr;
  Type *Aggregate = nullptr;
  bool ScalarConflict = false;
  bool AggregateConflict = false;
};

void ElementDeduction::note(Type *Ty) {
  Ty = scalarOf(Ty);
  if (Ty->isStructTy()) {
    if (Aggregate && Aggregate != Ty)
      AggregateConflict = true;
    Aggregate = Ty;
    return;
  }
  if (Ty->isIntegerTy(8))
    return; // byte-wise access says nothing about the elements
  Type *&Kind = Ty->isFloatingPointTy() ? Floating
                : Ty->isPointerTy()     ? Pointer
                                        : Integer;
  if (Kind && Kind != Ty)
    ScalarConflict = true;
  Kind = Ty;
}

void ElementDeduction::visitObject(Value *Object) {
  if (!Objects.insert(Object))
    return;
  if (auto *AI = dyn_cast<AllocaInst>(Object))
    note(AI->getAllocatedType());
  else if (auto *GV = dyn_cast<GlobalVariable>(Object))
    note(GV->getValueType());
  // Every pointer derived from the object, and every access through them.
  Pointers.insert(Object);
  for (unsigned Idx = 0; Idx < Pointers.size(); ++Idx) {
    Value *P = Pointers[Idx];
    for (User *U : P->users()) {
      if (auto *GEP = dyn_cast<GetElementPtrInst>(U)) {
        if (GEP->getPointerOperand() != P)
          continue;
        if (!GEP->hasAllConstantIndices())
          note(GEP->getSourceElementType());
        Pointers.insert(GEP);
      } else if (isa<PHINode, SelectInst>(U) ||
                 (isa<CastInst>(U) && U->getType()->isPointerTy())) {
        Pointers.insert(U);
      } else if (auto *LI = dyn_cast<LoadInst>(U)) {
        note(LI->getType());
      } else if (auto *SI = dyn_cast<StoreInst>(U)) {
        if (SI->getPointerOperand() == P)
          note(SI->getValueOperand()->getType());
      } else if (auto *MT = dyn_cast<MemTransferInst>(U)) {
        // Both sides of a copy hold the same kind of data.
        Value *Other = MT->getDest() == P ? MT->getSource() : MT->getDest();
        visitObject(getUnderlyingObject(Other));
      }
    }
  }
}

Type *ElementDeduction::run(Value *Ptr) {
  visitObject(getUnderlyingObject(Ptr));
  // Memory whose floating data is all of one type is handled element by
  // element of that type, which also fits copies of part of a struct; the
  // bytes of integer fields in between carry zero adjoints.
  if (Floating && !Pointer && !ScalarConflict)
    return Floating;
  // Otherwise the struct type, seen through an alloca or an array-of-structs
  // GEP, is the layout.
  if (Aggregate)
    return AggregateConflict ? nullptr : Aggregate;
  if (ScalarConflict || (Floating && Pointer))
    return nullptr;
  return Pointer ? Pointer : Integer;
}

} // namespace

Type *deduceElementType(Value *Ptr) { return ElementDeduction().run(Ptr); }

} // namespace fluxion
