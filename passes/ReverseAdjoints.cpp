//===- ReverseAdjoints.cpp - Adjoint rules of the reverse sweep -----------===//
//
// The adjoint of each instruction kind, emitted into the reverse block being
// built: the rule table's partials for arithmetic and math, memory through
// shadows (atomically where other GPU threads may touch it), calls of
// differentiated, custom-rule, checkpointed and shuffle functions, and
// calls through function pointers (DerivativeRecords.h).
//
//===----------------------------------------------------------------------===//

#include "Diagnostics.h"
#include "OpenMP.h"
#include "ReverseBuilder.h"
#include "VectorReductions.h"

#include "DerivativeRecords.h"

#define DEBUG_TYPE "fluxion-reverse"

using namespace llvm;

namespace fluxion {

//===-- Adjoints ----------------------------------------------------------===//

AllocaInst *ReverseBuilder::adjointSlot(Value *V) {
  AllocaInst *&Slot = Adjoints[V];
  if (!Slot) {
    IRBuilder<> EB(RevEntry, RevEntry->getFirstInsertionPt());
    Slot = EB.CreateAlloca(V->getType(), nullptr, V->getName() + ".adjoint");
    EB.CreateStore(additiveIdentity(V->getType()), Slot);
  }
  return Slot;
}

Value *ReverseBuilder::addValues(Value *L, Value *R) {
  Type *Ty = L->getType();
  if (Ty->isFPOrFPVectorTy())
    return B.CreateFAdd(L, R);
  unsigned N = isa<StructType>(Ty) ? Ty->getStructNumElements()
                                   : Ty->getArrayNumElements();
  Value *Sum = L;
  for (unsigned Idx = 0; Idx < N; ++Idx) {
    Value *Elem = B.CreateExtractValue(L, Idx);
    if (!isDifferentiableType(Elem->getType()))
      continue;
    Sum = B.CreateInsertValue(
        Sum, addValues(Elem, B.CreateExtractValue(R, Idx)), Idx);
  }
  return Sum;
}

void ReverseBuilder::addAdjoint(Value *V, Value *Delta) {
  if (!isActive(V) || !isDifferentiableType(V->getType()))
    return;
  AllocaInst *Slot = adjointSlot(V);
  Value *Old = B.CreateLoad(V->getType(), Slot);
  B.CreateStore(addValues(Old, Delta), Slot);
}

Value *ReverseBuilder::standIn(Value *Ptr, Value *Shadow) {
  return StandIns.mayBeStandIn(Ptr) ? isStandIn(B, Shadow, primal(Ptr))
                                    : nullptr;
}

Value *ReverseBuilder::updatableShadow(Value *Ptr, Type *Ty, Value *&StandIn) {
  Value *Shadow = shadow(Ptr);
  StandIn = standIn(Ptr, Shadow);
  if (!StandIn)
    return Shadow;
  AllocaInst *&Sink = StandInSinks[Ty];
  if (!Sink) {
    IRBuilder<> EB(RevEntry, RevEntry->getFirstInsertionPt());
    Sink = EB.CreateAlloca(Ty, nullptr, "standin.sink");
  }
  return B.CreateSelect(StandIn, Sink, Shadow);
}

Value *ReverseBuilder::takeAdjoint(Value *V) {
  AllocaInst *Slot = adjointSlot(V);
  Value *Adjoint = B.CreateLoad(V->getType(), Slot, V->getName() + ".adj");
  B.CreateStore(additiveIdentity(V->getType()), Slot);
  return Adjoint;
}

//===-- Adjoint rules for each instruction kind ---------------------------===//

bool ReverseBuilder::visitElementwise(Instruction &I) {
  const ElementwiseRule *Rule = findElementwiseRule(I);
  if (!Rule)
    return true;
  Value *DY = takeAdjoint(&I);
  if (Rule->hasZeroDerivative())
    return true;
  unsigned NumOperands =
      isa<CallBase>(I) ? cast<CallBase>(I).arg_size() : I.getNumOperands();
  DenseMap<Value *, Value *> Fetched;
  auto Fetch = [&](int Idx) -> Value * {
    Value *Operand = Idx < 0 ? &I : I.getOperand(Idx);
    Value *&V = Fetched[Operand];
    if (!V)
      V = primal(Operand);
    return V;
  };
  for (unsigned Idx = 0; Idx < NumOperands && Idx < Rule->Partials.size();
       ++Idx) {
    Value *Op = I.getOperand(Idx);
    if (!Rule->Partials[Idx] || !isActive(Op))
      continue;
    addAdjoint(Op, scaleByPartial(B,
                                  evaluatePartial(B, I.getType(), Fetch,
                                                  Rule->Partials[Idx]),
                                  DY));
  }
  return true;
}

bool ReverseBuilder::visitCastInst(CastInst &I) {
  Value *Op = I.getOperand(0);
  if (!isActive(&I) || !isActive(Op))
    return true;
  Value *DY = takeAdjoint(&I);
  Instruction::CastOps Inverse;
  switch (I.getOpcode()) {
  case Instruction::FPExt:
    Inverse = Instruction::FPTrunc;
    break;
  case Instruction::FPTrunc:
    Inverse = Instruction::FPExt;
    break;
  default:
    Inverse = Instruction::BitCast;
    break;
  }
  addAdjoint(Op, B.CreateCast(Inverse, DY, Op->getType()));
  return true;
}

bool ReverseBuilder::visitSelectInst(SelectInst &I) {
  if (!isActive(&I))
    return true;
  Value *DY = takeAdjoint(&I);
  Value *Zero = Constant::getNullValue(I.getType());
  Value *Cond = primal(I.getCondition());
  addAdjoint(I.getTrueValue(), B.CreateSelect(Cond, DY, Zero));
  addAdjoint(I.getFalseValue(), B.CreateSelect(Cond, Zero, DY));
  return true;
}

bool ReverseBuilder::visitExtractValueInst(ExtractValueInst &I) {
  if (!isActive(&I))
    return true;
  Value *DY = takeAdjoint(&I);
  Value *Agg = I.getAggregateOperand();
  addAdjoint(Agg, B.CreateInsertValue(Constant::getNullValue(Agg->getType()),
                                      DY, I.getIndices()));
  return true;
}

bool ReverseBuilder::visitInsertValueInst(InsertValueInst &I) {
  if (!isActive(&I))
    return true;
  Value *DY = takeAdjoint(&I);
  Value *Inserted = I.getInsertedValueOperand();
  addAdjoint(Inserted, B.CreateExtractValue(DY, I.getIndices()));
  addAdjoint(I.getAggregateOperand(),
             B.CreateInsertValue(DY,
                                 Constant::getNullValue(Inserted->getType()),
                                 I.getIndices()));
  return true;
}

bool ReverseBuilder::visitExtractElementInst(ExtractElementInst &I) {
  if (!isActive(&I))
    return true;
  Value *DY = takeAdjoint(&I);
  Value *Vec = I.getVectorOperand();
  addAdjoint(Vec, B.CreateInsertElement(Constant::getNullValue(Vec->getType()),
                                        DY, primal(I.getIndexOperand())));
  return true;
}

bool ReverseBuilder::visitInsertElementInst(InsertElementInst &I) {
  if (!isActive(&I))
    return true;
  Value *DY = takeAdjoint(&I);
  Value *Index = primal(I.getOperand(2));
  Value *Elem = I.getOperand(1);
  addAdjoint(Elem, B.CreateExtractElement(DY, Index));
  addAdjoint(I.getOperand(0),
             B.CreateInsertElement(DY, Constant::getNullValue(Elem->getType()),
                                   Index));
  return true;
}

bool ReverseBuilder::visitShuffleVectorInst(ShuffleVectorInst &I) {
  if (!isActive(&I))
    return true;
  Value *DY = takeAdjoint(&I);
  Value *Ops[2] = {I.getOperand(0), I.getOperand(1)};
  auto *SrcTy = cast<FixedVectorType>(Ops[0]->getType());
  unsigned Width = SrcTy->getNumElements();
  Value *Sums[2] = {Constant::getNullValue(SrcTy),
                    Constant::getNullValue(SrcTy)};
  for (auto [Lane, Source] : enumerate(I.getShuffleMask())) {
    if (Source < 0)
      continue;
    unsigned Which = unsigned(Source) / Width,
             SrcLane = unsigned(Source) % Width;
    Value *Old = B.CreateExtractElement(Sums[Which], SrcLane);
    Value *New = B.CreateFAdd(Old, B.CreateExtractElement(DY, Lane));
    Sums[Which] = B.CreateInsertElement(Sums[Which], New, SrcLane);
  }
  addAdjoint(Ops[0], Sums[0]);
  addAdjoint(Ops[1], Sums[1]);
  return true;
}

bool ReverseBuilder::visitFreezeInst(FreezeInst &I) {
  if (isActive(&I))
    addAdjoint(I.getOperand(0), takeAdjoint(&I));
  return true;
}

bool ReverseBuilder::visitLoadInst(LoadInst &I) {
  if (!isActive(&I) || !AA.hasShadow(I.getPointerOperand()))
    return true;
  Value *DY = takeAdjoint(&I);
  Value *StandIn;
  Value *Shadow = updatableShadow(I.getPointerOperand(), I.getType(), StandIn);
  // On a GPU or in an OpenMP parallel region other threads may read the
  // same element and add their adjoints concurrently; memory private to the
  // thread needs no atomics.
  bool Shared = (Primal.getParent()->getTargetTriple().isNVPTX() ||
                 Request.Parallel != Parallelism::None) &&
                !isLocalObject(getUnderlyingObject(I.getPointerOperand()));
  if (Shared && I.getType()->isFloatingPointTy()) {
    if (Request.Parallel == Parallelism::Region &&
        Windows.add(B, getUnderlyingObject(I.getPointerOperand()), Shadow, DY))
      return true;
    B.CreateAtomicRMW(AtomicRMWInst::FAdd, Shadow, DY, I.getAlign(),
                      AtomicOrdering::Monotonic);
    return true;
  }
  deferShadowAdd(I.getPointerOperand(), Shadow, DY, I.getAlign(), !StandIn);
  return true;
}

void ReverseBuilder::deferShadowAdd(Value *Ptr, Value *Shadow, Value *Delta,
                                    Align A, bool OwnMemory) {
  std::pair<Value *, Type *> Key = {Ptr, Delta->getType()};
  auto [Pending, New] = PendingShadowAdds.try_emplace(Key);
  AllocaInst *&Slot = ShadowAddSlots[Key];
  if (!Slot) {
    IRBuilder<> EB(RevEntry, RevEntry->getFirstInsertionPt());
    Slot =
        EB.CreateAlloca(Delta->getType(), nullptr, Ptr->getName() + ".pending");
  }
  if (New) {
    Pending->second = {Shadow, A, OwnMemory};
    B.CreateStore(Delta, Slot);
    return;
  }
  B.CreateStore(addValues(B.CreateLoad(Delta->getType(), Slot), Delta), Slot);
}

void ReverseBuilder::flushShadowAdds() {
  for (auto &[Key, Pending] : PendingShadowAdds) {
    Type *Ty = Key.second;
    Value *Sum = B.CreateLoad(Ty, ShadowAddSlots[Key]);
    auto *Old = B.CreateAlignedLoad(Ty, Pending.Shadow, Pending.Alignment);
    auto *New = B.CreateAlignedStore(addValues(Old, Sum), Pending.Shadow,
                                     Pending.Alignment);
    if (Pending.OwnMemory) {
      markMemory(*Old, /*Shadow=*/true);
      markMemory(*New, /*Shadow=*/true);
    }
  }
  PendingShadowAdds.clear();
}

bool ReverseBuilder::visitStoreInst(StoreInst &I) {
  Value *Stored = I.getValueOperand();
  if (!AA.hasShadow(I.getPointerOperand()))
    return true;
  if (!isDifferentiableType(Stored->getType())) {
    // Integer bits of a float from memory without a shadow (or a constant)
    // overwrite it: its adjoint reached no later read.
    auto *Copied = dyn_cast<LoadInst>(Stored);
    if (mayStoreFloatBits(I) &&
        !(Copied && AA.hasShadow(Copied->getPointerOperand()))) {
      Value *StandIn;
      B.CreateAlignedStore(
          Constant::getNullValue(Stored->getType()),
          updatableShadow(I.getPointerOperand(), Stored->getType(), StandIn),
          I.getAlign());
    }
    return true;
  }
  // The adjoint of the overwritten memory flows to the stored value; what was
  // there before the store never reached later reads.
  Type *Ty = Stored->getType();
  Value *StandIn;
  Value *Shadow = updatableShadow(I.getPointerOperand(), Ty, StandIn);
  auto *Read = B.CreateAlignedLoad(Ty, Shadow, I.getAlign());
  auto *Zero =
      B.CreateAlignedStore(Constant::getNullValue(Ty), Shadow, I.getAlign());
  if (!StandIn) {
    markMemory(*Read, /*Shadow=*/true);
    markMemory(*Zero, /*Shadow=*/true);
  }
  Value *DV = Read;
  if (StandIn)
    DV = B.CreateSelect(StandIn, Constant::getNullValue(Ty), DV);
  addAdjoint(Stored, DV);
  return true;
}

/// `*p += v` leaves v in the memory for good: v's adjoint is the adjoint
/// the memory has by then, which stays there (other threads' adds share it).
bool ReverseBuilder::visitAtomicRMWInst(AtomicRMWInst &I) {
  Value *Added = I.getValOperand();
  if (!AA.hasShadow(I.getPointerOperand()) || !isActive(Added))
    return true;
  Value *Shadow = shadow(I.getPointerOperand());
  Value *Adjoint = B.CreateAlignedLoad(Added->getType(), Shadow, I.getAlign());
  if (Value *StandIn = standIn(I.getPointerOperand(), Shadow))
    Adjoint = B.CreateSelect(StandIn, Constant::getNullValue(Added->getType()),
                             Adjoint);
  if (I.getOperation() == AtomicRMWInst::FSub)
    Adjoint = B.CreateFNeg(Adjoint);
  addAdjoint(Added, Adjoint);
  return true;
}

bool ReverseBuilder::visitAllocaInst(AllocaInst &I) {
  if (HeapShadows.count(&I))
    releaseShadow(B, I, shadow(&I));
  return true;
}

bool ReverseBuilder::visitMemTransfer(MemTransferInst &Copy) {
  Value *Dest = Copy.getDest();
  if (!AA.hasShadow(Dest))
    return true;
  Value *DestShadow = shadow(Dest);
  Value *DestStandIn = standIn(Dest, DestShadow);
  Value *Length = primal(Copy.getLength());
  if (!AA.hasShadow(Copy.getSource())) {
    B.CreateMemSet(DestShadow, B.getInt8(0),
                   DestStandIn ? unlessStandIn(B, DestStandIn, Length) : Length,
                   Copy.getDestAlign());
    return true;
  }
  Type *Elem = deduceCopiedType(Copy);
  if (!Elem) {
    reportError(Copy, "cannot deduce the type of the data this copy moves; "
                      "access the buffers with typed loads or stores");
    return false;
  }
  if (!isDifferentiableType(Elem))
    return true;
  Value *SourceShadow = shadow(Copy.getSource());
  Value *SourceStandIn = standIn(Copy.getSource(), SourceShadow);
  ShadowCopyLengths Lengths =
      shadowCopyLengths(B, DestStandIn, SourceStandIn, Length);
  emitCopyAdjoint(B, Elem, DestShadow, SourceShadow, Lengths.Copied,
                  isa<MemMoveInst>(Copy));
  if (SourceStandIn)
    B.CreateMemSet(DestShadow, B.getInt8(0), Lengths.Zeroed,
                   Copy.getDestAlign());
  return true;
}

bool ReverseBuilder::visitShuffle(CallBase &Call) {
  Shuffle S = *asShuffle(Call);
  if (!isActive(&Call) || !isActive(S.Data))
    return true;
  Value *DY = takeAdjoint(&Call);
  Shuffle Primal{S.Mode, primal(S.Mask), nullptr, primal(S.Offset),
                 primal(S.Clamp)};
  addAdjoint(S.Data, emitShuffleAdjoint(B, Primal, DY));
  return true;
}

bool ReverseBuilder::visitCallBase(CallBase &I) {
  switch (classifyCall(I)) {
  case CallKind::Inert:
  case CallKind::Unsupported:
  case CallKind::Deallocation:
    return true;
  case CallKind::Barrier: {
    // Adjoints flow backwards through memory the barrier ordered forwards,
    // so the reverse sweep synchronizes at the mirrored point.
    if (I.getCalledFunction() &&
        openMPRole(*I.getCalledFunction()) != OpenMPRole::None)
      return mirrorOpenMPSynchronization(I);
    auto *Mirror = cast<CallBase>(I.clone());
    for (Use &Arg : Mirror->args())
      Arg.set(primal(Arg.get()));
    B.Insert(Mirror);
    return true;
  }
  case CallKind::Allocation:
    if (!AA.hasShadow(&I))
      return true;
    if (Value *Kept = ReallocKept.lookup(&I)) {
      Type *Elem = deduceElementType(&I);
      if (!Elem)
        Elem = deduceElementType(I.getArgOperand(0));
      if (!Elem) {
        reportError(I, "cannot deduce the type of the data this realloc "
                       "moves; access the buffer with typed loads or stores");
        return false;
      }
      if (isDifferentiableType(Elem)) {
        // One statement each: the order of the code they emit must not
        // depend on the compiler's order of evaluating arguments.
        Value *NewShadow = shadow(&I);
        Value *OldShadow = shadow(I.getArgOperand(0));
        Value *Bytes = reload(Kept, I.getParent());
        emitCopyAdjoint(B, Elem, NewShadow, OldShadow, Bytes,
                        /*MayOverlap=*/false);
      }
    }
    releaseShadow(B, I, shadow(&I), [&](Value *V) { return primal(V); });
    return true;
  case CallKind::Elementwise:
    return visitElementwise(I);
  case CallKind::Shuffle:
    return visitShuffle(I);
  case CallKind::Reduction: {
    if (!isActive(&I))
      return true;
    auto &Reduction = cast<IntrinsicInst>(I);
    bool Sum = Reduction.getIntrinsicID() == Intrinsic::vector_reduce_fadd;
    Value *Vector = Reduction.getArgOperand(Sum ? 1 : 0);
    auto [Start, Lanes] = emitReductionAdjoints(
        B, Reduction, primal(Vector), primal(&Reduction), takeAdjoint(&I));
    if (Sum)
      addAdjoint(Reduction.getArgOperand(0), Start);
    addAdjoint(Vector, Lanes);
    return true;
  }
  case CallKind::Defined:
    return visitDefinedCall(I);
  case CallKind::Custom:
    return visitCustomCall(I);
  case CallKind::Dynamic:
    return visitDynamicCall(I);
  case CallKind::MemSet: {
    auto &MS = cast<MemSetInst>(I);
    if (!AA.hasShadow(MS.getDest()))
      return true;
    Value *Shadow = shadow(MS.getDest()), *Length = primal(MS.getLength());
    if (Value *StandIn = standIn(MS.getDest(), Shadow))
      Length = unlessStandIn(B, StandIn, Length);
    B.CreateMemSet(Shadow, B.getInt8(0), Length, MS.getDestAlign());
    return true;
  }
  case CallKind::MemTransfer:
    return visitMemTransfer(cast<MemTransferInst>(I));
  }
  llvm_unreachable("unknown call kind");
}

/// An OpenMP barrier, run by the reverse team's thread (`(loc, gtid)`: its
/// own global number), or the other end of a critical section, entered in
/// the reverse of the order the augmented sweep entered it.
bool ReverseBuilder::mirrorOpenMPSynchronization(CallBase &Call) {
  OpenMPRole Role = openMPRole(*Call.getCalledFunction());
  if (Role == OpenMPRole::Barrier) {
    Value *Loc = Call.getArgOperand(0);
    B.CreateCall(Call.getCalledFunction(), {Loc, currentGlobalThread(B, Loc)});
    return true;
  }
  CallBase *Start = Role == OpenMPRole::CriticalBegin
                        ? &Call
                        : criticalSectionStart(Call, Dominators);
  auto Ticket = Start ? CriticalTickets.find(Start) : CriticalTickets.end();
  if (Ticket == CriticalTickets.end()) {
    reportError(Call, "cannot differentiate a critical section whose start "
                      "does not dominate its end");
    return false;
  }
  auto &Lock = *cast<GlobalVariable>(Start->getArgOperand(2));
  Value *Taken = reload(Ticket->second, Start->getParent());
  if (Role == OpenMPRole::CriticalEnd)
    awaitCriticalTurn(B, Lock, Taken);
  else
    passCriticalTurn(B, Lock, Taken);
  return true;
}

void ReverseBuilder::addArgumentAdjoints(CallBase &Call, const DiffRequest &CR,
                                         Value *Adjoints) {
  unsigned Out = 0;
  for (auto [U, Activity] : zip(Call.args(), CR.Args))
    if (Activity == ArgActivity::Out)
      addAdjoint(U.get(), B.CreateExtractValue(Adjoints, Out++));
}

bool ReverseBuilder::visitDefinedCall(CallBase &Call) {
  auto Found = Callees.find(&Call);
  if (Found == Callees.end())
    return true;
  if (const CheckpointPlan *Plan = Checkpoints.lookup(&Call))
    return visitCheckpointedCall(Call, *Plan);
  const ReverseFunctions *Callee = Found->second;
  const DiffRequest &CR = CalleeRequests[&Call];
  SmallVector<Value *, 8> Args;
  const TapeRegion &Region = CalleeTapes[&Call];
  if (Value *Loc = parallelRegionLocation(Call)) {
    for (auto [U, Activity] : drop_begin(zip(Call.args(), CR.Args), 2)) {
      Args.push_back(primal(U.get()));
      if (hasShadowArg(Activity))
        Args.push_back(shadow(U.get()));
    }
    emitReverseParallelRegion(B, Loc, *Callee->Reverse,
                              revRegionAddress(Region), Args);
    return true;
  }
  Value *CalleeTape = revRegionAddress(Region);
  if (!Callee->Complete)
    CalleeTape = B.CreateLoad(B.getPtrTy(), CalleeTape, "callee.tape");
  Args.push_back(CalleeTape);
  for (auto [U, Activity] : zip(Call.args(), CR.Args)) {
    Args.push_back(primal(U.get()));
    if (hasShadowArg(Activity))
      Args.push_back(shadow(U.get()));
  }
  if (CR.ReturnActive)
    Args.push_back(takeAdjoint(&Call));
  CallInst *Adjoints = B.CreateCall(Callee->Reverse, Args);
  if (!Callee->Complete)
    B.CreateCall(
        S.module().getOrInsertFunction("free", B.getVoidTy(), B.getPtrTy()),
        {CalleeTape});
  addArgumentAdjoints(Call, CR, Adjoints);
  return true;
}

/// Runs the call again on a scratch copy of its memory, restored from the
/// snapshot, with a tape that lives only for this call, then its reverse.
bool ReverseBuilder::visitCheckpointedCall(CallBase &Call,
                                           const CheckpointPlan &Plan) {
  const ReverseFunctions *Callee = Callees[&Call];
  const DiffRequest &CR = CalleeRequests[&Call];
  IRBuilder<> EB(RevEntry, RevEntry->getFirstInsertionPt());
  auto EntryBuffer = [&](uint64_t Bytes, const Twine &Name) {
    AllocaInst *Buffer =
        EB.CreateAlloca(ArrayType::get(EB.getInt8Ty(), Bytes), nullptr, Name);
    Buffer->setAlignment(TapeLayout::MaxAlign);
    return Buffer;
  };
  Value *Scratch = EntryBuffer(Plan.ScratchBytes, "checkpoint.scratch");
  Value *CalleeTape = EntryBuffer(Callee->TapeBytes, "checkpoint.tape");
  // The recomputed call's stacks live for that call only, on the heap.
  if (S.module().getTargetTriple().isNVPTX())
    TapeStackOps::storeArena(B, CalleeTape,
                             Constant::getNullValue(B.getPtrTy()));
  Value *Snapshot =
      Plan.SnapshotBytes ? revRegionAddress(CalleeTapes[&Call]) : nullptr;

  DenseMap<unsigned, Value *> Redirected;
  for (auto [W, SnapshotOffset, ScratchOffset] :
       zip(Plan.Windows, Plan.SnapshotOffsets, Plan.ScratchOffsets)) {
    Value *Window = B.CreateConstGEP1_64(B.getInt8Ty(), Scratch, ScratchOffset);
    if (W.snapshotBytes())
      B.CreateMemCpy(
          B.CreateConstGEP1_64(B.getInt8Ty(), Window, W.ReadLo - W.Lo),
          Align(1),
          B.CreateConstGEP1_64(B.getInt8Ty(), Snapshot, SnapshotOffset),
          Align(8), W.snapshotBytes());
    Redirected[W.ArgNo] = B.CreateConstGEP1_64(B.getInt8Ty(), Window, -W.Lo);
  }
  SmallVector<Value *, 8> Args{CalleeTape};
  for (auto [U, Activity] : zip(Call.args(), CR.Args)) {
    Value *Redirect = Redirected.lookup(Call.getArgOperandNo(&U));
    Args.push_back(Redirect ? Redirect : primal(U.get()));
    if (hasShadowArg(Activity))
      Args.push_back(shadow(U.get()));
  }
  ArrayRef<Value *> AugArgs(Args.data(), Callee->Augmented->arg_size());
  B.CreateCall(Callee->Augmented, AugArgs);
  if (CR.ReturnActive)
    Args.push_back(takeAdjoint(&Call));
  CallInst *Adjoints = B.CreateCall(Callee->Reverse, Args);
  addArgumentAdjoints(Call, CR, Adjoints);
  return true;
}

bool ReverseBuilder::visitCustomCall(CallBase &Call) {
  auto Found = CustomTapes.find(&Call);
  if (Found == CustomTapes.end())
    return visitDefinedCall(Call);
  Function *Callee = Call.getCalledFunction();
  Function *Rule = customRule(*Callee).Reverse;
  SmallVector<Value *, 8> Args = reverseRuleArgs(Call, Found->second);
  if (Rule->arg_size() != Args.size()) {
    reportError(Call, "reverse rule '" + displayName(*Rule) + "' for '" +
                          displayName(*Callee) + "' takes " +
                          Twine(Rule->arg_size()) + " parameters, expected " +
                          Twine(Args.size()));
    return false;
  }
  if (addRuleAdjoints(Call, *B.CreateCall(Rule, Args)))
    return true;
  reportError(Call, "reverse rule '" + displayName(*Rule) +
                        "' must return the adjoints of the floating "
                        "parameters of '" +
                        displayName(*Callee) + "'");
  return false;
}

bool ReverseBuilder::visitDynamicCall(CallBase &Call) {
  auto Found = CustomTapes.find(&Call);
  if (Found == CustomTapes.end())
    return true;
  Value *Record = shadow(Call.getCalledOperand());
  Value *Entry =
      B.CreateLoad(B.getPtrTy(),
                   B.CreateConstGEP1_32(B.getPtrTy(), Record,
                                        unsigned(RecordEntry::Reverse)),
                   "reverse.entry");
  CallInst *Adjoints = B.CreateCall(
      recordEntryType(Call.getFunctionType(), RecordEntry::Reverse), Entry,
      reverseRuleArgs(Call, Found->second));
  return addRuleAdjoints(Call, *Adjoints);
}

SmallVector<Value *, 8> ReverseBuilder::reverseRuleArgs(CallBase &Call,
                                                        Value *Tape) {
  SmallVector<Value *, 8> Args = customRuleArgs(Call, /*InReverse=*/true);
  if (isDifferentiableType(Call.getType()))
    Args.push_back(isActive(&Call) ? takeAdjoint(&Call)
                                   : Constant::getNullValue(Call.getType()));
  if (Tape)
    Args.push_back(reload(Tape, Call.getParent()));
  return Args;
}

bool ReverseBuilder::addRuleAdjoints(CallBase &Call, CallInst &Adjoints) {
  SmallVector<Value *, 4> Floating;
  for (const Use &U : Call.args())
    if (isDifferentiableType(U->getType()))
      Floating.push_back(U.get());
  if (Floating.empty())
    return true;
  // One floating parameter may come back bare or as a one-field struct.
  Type *Returned = Adjoints.getType();
  bool Bare = Floating.size() == 1 && Returned == Floating.front()->getType();
  for (auto [Idx, V] : enumerate(Floating)) {
    Value *Adjoint = &Adjoints;
    if (!Bare && Returned->isStructTy() &&
        Idx < Returned->getStructNumElements())
      Adjoint = B.CreateExtractValue(&Adjoints, Idx);
    if (Adjoint->getType() != V->getType())
      return false;
    addAdjoint(V, Adjoint);
  }
  return true;
}

} // namespace fluxion
