//===- ReverseSynthesis.cpp - Reverse-mode (adjoint) derivatives ----------===//
//
// A reverse-mode derivative is a pair of functions joined by a tape:
//
//  * the augmented forward function is a copy of the primal that also builds
//    shadow pointers, calls the augmented forms of differentiated callees and
//    records on the tape what the reverse sweep asks for: primal values the
//    derivative rules read, and at each join point which predecessor control
//    came from;
//  * the reverse function has one block per primal block; it starts at the
//    return block, runs each block's adjoint code in reverse instruction
//    order and follows the recorded path backwards to the entry.
//
// Values are cached lazily: the reverse sweep requests a primal value, and
// the request adds the store to the augmented function. Adjoints live in
// stack slots of the reverse function (mem2reg makes them registers) and are
// reset after they are propagated, so loops accumulate correctly.
//
//===----------------------------------------------------------------------===//

#include "Diagnostics.h"
#include "ReverseBuilder.h"

#include "DerivativeRecords.h"
#include "OpenMP.h"

#define DEBUG_TYPE "fluxion-reverse"

using namespace llvm;

namespace fluxion {

//===-- The augmented forward function ------------------------------------===//

SmallVector<Value *, 8> ReverseBuilder::customRuleArgs(CallBase &Call,
                                                       bool InReverse) {
  SmallVector<Value *, 8> Args;
  for (const Use &U : Call.args()) {
    Args.push_back(InReverse ? primal(U.get()) : augValue(U.get()));
    if (!hasCustomShadow(U->getType(), DiffMode::Reverse))
      continue;
    if (!AA.hasShadow(U.get()))
      Args.push_back(Constant::getNullValue(U->getType()));
    else
      Args.push_back(InReverse ? shadow(U.get()) : augShadow(U.get()));
  }
  return Args;
}

bool ReverseBuilder::buildAugmentedCustomCall(CallBase &Call) {
  Function *Callee = Call.getCalledFunction();
  CustomRule Rule = customRule(*Callee);
  if (!Rule.Augmented || !Rule.Reverse) {
    if (!Callee->isDeclaration())
      return buildAugmentedCall(Call);
    reportError(Call, "'" + displayName(*Callee) +
                          "' has a forward rule but no reverse rule");
    return false;
  }
  auto *Copy = cast<CallBase>(VMap[&Call]);
  AB.SetInsertPoint(Copy);
  SmallVector<Value *, 8> Args = customRuleArgs(Call, /*InReverse=*/false);
  if (Rule.Augmented->arg_size() != Args.size()) {
    reportError(Call, "augmented rule '" + displayName(*Rule.Augmented) +
                          "' for '" + displayName(*Callee) + "' takes " +
                          Twine(Rule.Augmented->arg_size()) +
                          " parameters, expected " + Twine(Args.size()));
    return false;
  }
  CallInst *Result = AB.CreateCall(Rule.Augmented, Args);
  if (useAugmentedResult(Call, *Result))
    return true;
  reportError(Call, "augmented rule '" + displayName(*Rule.Augmented) +
                        "' must return {void *tape, result}, the tape, "
                        "the result or nothing");
  return false;
}

bool ReverseBuilder::buildAugmentedDynamicCall(CallBase &Call) {
  auto *Copy = cast<Instruction>(VMap[&Call]);
  AB.SetInsertPoint(Copy);
  Value *Record =
      checkedRecord(AB, augShadow(Call.getCalledOperand()),
                    augValue(Call.getCalledOperand()), Call.getFunctionType());
  Value *Entry = AB.CreateLoad(AB.getPtrTy(), Record, "augmented.entry");
  CallInst *Result = AB.CreateCall(
      recordEntryType(Call.getFunctionType(), RecordEntry::Augmented), Entry,
      customRuleArgs(Call, /*InReverse=*/false));
  // The augmented entry runs the function; a void one returns the tape only.
  if (Call.getType()->isVoidTy()) {
    Copy->eraseFromParent();
    VMap[&Call] = Result;
  }
  return useAugmentedResult(Call, *Result);
}

bool ReverseBuilder::useAugmentedResult(CallBase &Call, CallInst &Result) {
  // The rule returns {tape, result}, the tape, the result, or nothing, as
  // Enzyme accepts; without the result the function itself computes it.
  auto *Copy = cast<CallBase>(VMap[&Call]);
  Type *ResultTy = Result.getType(), *PrimalTy = Call.getType();
  auto *Pair = dyn_cast<StructType>(ResultTy);
  Value *Tape = nullptr, *Primal = nullptr;
  if (Pair && Pair->getNumElements() == 2 &&
      Pair->getElementType(0)->isPointerTy() &&
      Pair->getElementType(1) == PrimalTy) {
    Tape = AB.CreateExtractValue(&Result, 0, "custom.tape");
    Primal = AB.CreateExtractValue(&Result, 1);
  } else if (ResultTy == PrimalTy && !PrimalTy->isPointerTy()) {
    Primal = &Result;
  } else if (ResultTy->isPointerTy()) {
    Tape = &Result;
  } else if (!ResultTy->isVoidTy()) {
    return false;
  }
  if (Primal) {
    Copy->replaceAllUsesWith(Primal);
    VMap[&Call] = Primal;
    Copy->eraseFromParent();
  }
  CustomTapes[&Call] = Tape;
  return true;
}

Value *ReverseBuilder::augShadow(Value *PrimalV) {
  if (Value *Shadow = AugShadows.lookup(PrimalV))
    return Shadow;
  if (auto *Address = dyn_cast<Constant>(PrimalV);
      Address && Address->getType()->isPointerTy())
    if (Value *Shadow = constantShadow(Aug, Address, DiffMode::Reverse))
      return Shadow;
  // Memory without a shadow: the primal pointer stands in for one.
  if (PrimalV->getType()->isPtrOrPtrVectorTy() && !isa<Constant>(PrimalV))
    return augValue(PrimalV);
  return Constant::getNullValue(PrimalV->getType());
}

Value *ReverseBuilder::augStandIn(Value *Ptr, Value *Shadow) {
  return StandIns.mayBeStandIn(Ptr) ? isStandIn(AB, Shadow, augValue(Ptr))
                                    : nullptr;
}

/// Whether the code addresses \p Object with an index known only at run
/// time (through address arithmetic on it, however deep).
static bool indexedAtRunTime(const AllocaInst &Object) {
  SmallVector<const Value *, 8> Worklist = {&Object};
  while (!Worklist.empty()) {
    const Value *Ptr = Worklist.pop_back_val();
    for (const User *U : Ptr->users()) {
      const auto *GEP = dyn_cast<GetElementPtrInst>(U);
      if (!GEP || GEP->getPointerOperand() != Ptr)
        continue;
      if (!GEP->hasAllConstantIndices())
        return true;
      Worklist.push_back(GEP);
    }
  }
  return false;
}

bool ReverseBuilder::buildAugmentedShadow(Instruction &I) {
  auto *Copy = cast<Instruction>(VMap[&I]);
  augInsertAfter(Copy);
  if (auto *P = dyn_cast<PHINode>(&I)) {
    AB.SetInsertPoint(Copy);
    AugShadows[&I] = AB.CreatePHI(I.getType(), P->getNumIncomingValues(),
                                  I.getName() + ".shadow");
    return true;
  }
  if (isa<GetElementPtrInst, CastInst, SelectInst, FreezeInst>(I)) {
    Instruction *Shadow = Copy->clone();
    for (Use &U : I.operands())
      if (U.get()->getType()->isPointerTy())
        Shadow->setOperand(U.getOperandNo(), augShadow(U.get()));
    Shadow->setName(I.getName() + ".shadow");
    AB.Insert(Shadow);
    AugShadows[&I] = Shadow;
    return true;
  }
  if (auto *LI = dyn_cast<LoadInst>(&I)) {
    Value *Shadow =
        AB.CreateAlignedLoad(I.getType(), augShadow(LI->getPointerOperand()),
                             LI->getAlign(), I.getName() + ".shadow");
    AugShadows[&I] = standInIfNull(AB, Shadow, Copy);
    return true;
  }
  if (auto *AI = dyn_cast<AllocaInst>(&I);
      AI && AI->isStaticAlloca() && !InCycle.count(AI->getParent())) {
    // The reverse sweep reads this shadow after the augmented function's
    // frame is gone, so it lives in the tape.
    uint64_t Size = *AI->getAllocationSize(DL);
    TapeRegion Region =
        indexedAtRunTime(*AI)
            ? makeArrayRegion(AI->getParent(), Size, AI->getAlign())
            : makeRegion(AI->getParent(), Size, AI->getAlign());
    Value *Shadow = augRegionAddress(Region);
    AB.CreateMemSet(Shadow, AB.getInt8(0), Size, AI->getAlign());
    AugShadows[&I] = Shadow;
    ShadowRegions[&I] = Region;
    return true;
  }
  if (auto *AI = dyn_cast<AllocaInst>(&I)) {
    Module &M = *Aug.getParent();
    FunctionCallee Malloc =
        M.getOrInsertFunction("malloc", AB.getPtrTy(), AB.getInt64Ty());
    Value *Size = allocaSize(AB, *cast<AllocaInst>(Copy));
    Value *Shadow = AB.CreateCall(Malloc, {Size}, I.getName() + ".shadow");
    AB.CreateMemSet(Shadow, AB.getInt8(0), Size, AI->getAlign());
    AugShadows[&I] = Shadow;
    HeapShadows.insert(&I);
    return true;
  }
  if (auto *Call = dyn_cast<CallBase>(&I);
      Call && allocationKind(*Call) == AllocationKind::Realloc) {
    buildReallocShadow(*Call);
    return true;
  }
  if (auto *Call = dyn_cast<CallBase>(&I);
      Call && allocationKind(*Call) != AllocationKind::None) {
    AugShadows[&I] = createShadowAllocation(AB, *Copy);
    HeapShadows.insert(&I);
    return true;
  }
  reportError(I, "a pointer into active memory produced by '" +
                     Twine(I.getOpcodeName()) +
                     "' is not supported in reverse mode yet");
  return false;
}

/// realloc moves the old block's contents and frees it; the reverse sweep
/// must move their adjoints back to a block earlier code still reaches. So
/// the old shadow stays until the reverse sweep releases it with the old
/// block's allocation, and the new shadow is a fresh zeroed block with a
/// copy of the old shadow's bytes both blocks have (bounded by the old
/// shadow's usable size: bytes past the old block's end are ones the primal
/// writes before reading).
void ReverseBuilder::buildReallocShadow(CallBase &Call) {
  Module &M = *Aug.getParent();
  Value *OldShadow = augShadow(Call.getArgOperand(0));
  // A stand-in's block is the caller's: the primal moves it.
  if (Value *StandIn = augStandIn(Call.getArgOperand(0), OldShadow))
    OldShadow = unlessStandIn(AB, StandIn, OldShadow);
  Value *Bytes =
      AB.CreateZExtOrTrunc(augValue(Call.getArgOperand(1)), AB.getInt64Ty());
  FunctionCallee Malloc =
      M.getOrInsertFunction("malloc", AB.getPtrTy(), AB.getInt64Ty());
  FunctionCallee Usable = M.getOrInsertFunction("malloc_usable_size",
                                                AB.getInt64Ty(), AB.getPtrTy());
  Value *Shadow = AB.CreateCall(Malloc, {Bytes}, Call.getName() + ".shadow");
  AB.CreateMemSet(Shadow, AB.getInt8(0), Bytes, MaybeAlign());
  // realloc(null, n) is malloc(n), and malloc_usable_size(null) is 0.
  Value *Kept = AB.CreateBinaryIntrinsic(Intrinsic::umin,
                                         AB.CreateCall(Usable, {OldShadow}),
                                         Bytes, nullptr, "realloc.kept");
  // A derivative of this code (nested reverse mode) differentiates the copy
  // too, and needs the type of what it moves.
  if (Type *Elem = deduceElementType(&Call)) {
    if (isDifferentiableType(Elem) || containsPointer(Elem))
      emitTypedCopy(AB, Elem, Shadow, OldShadow, Kept);
  } else {
    AB.CreateMemCpy(Shadow, MaybeAlign(), OldShadow, MaybeAlign(), Kept);
  }
  AugShadows[&Call] = Shadow;
  ReallocKept[&Call] = Kept;
  HeapShadows.insert(&Call);
}

bool ReverseBuilder::buildAugmentedCall(CallBase &Call) {
  DiffRequest CR = calleeRequest(Call, AA, DiffMode::Reverse);
  CR.StandInArgs = StandIns.standInArguments(Call);
  Value *ParallelRegion = parallelRegionLocation(Call);
  if (ParallelRegion)
    CR.Parallel = Parallelism::Region;
  else if (Request.Parallel != Parallelism::None)
    CR.Parallel = Parallelism::InRegion;
  if (none_of(CR.Args, [](ArgActivity A) { return A != ArgActivity::Const; }) &&
      !CR.ReturnActive && !CR.ReturnShadow)
    return true;
  if (ParallelRegion && is_contained(CR.Args, ArgActivity::Out)) {
    reportError(Call, "cannot differentiate a parallel region that captures "
                      "an active value by copy; capture it by reference");
    return false;
  }
  Function *Target = Call.getCalledFunction();
  bool Checkpointed = Target && isCheckpointed(*Target);
  if (Checkpointed)
    CR.Fn = &checkpointBody(*Target);
  const ReverseFunctions *Callee = S.reverse(CR);
  if (!Callee)
    return false;
  Callees[&Call] = Callee;
  CalleeRequests[&Call] = CR;
  if (const CheckpointPlan *Plan =
          Checkpointed ? checkpointFor(Call, *Callee) : nullptr) {
    buildSnapshot(Call, *Plan);
    return true;
  }
  auto *Copy = cast<CallBase>(VMap[&Call]);
  AB.SetInsertPoint(Copy);
  if (ParallelRegion)
    return buildAugmentedParallelRegion(Call, *Callee, CR);
  // A callee whose tape size is still unknown (recursion) gets its tape from
  // the heap; others are laid out inside this function's tape.
  TapeRegion Region =
      Callee->Complete
          ? makeRegion(Call.getParent(), Callee->TapeBytes,
                       TapeLayout::MaxAlign)
          : makeRegion(Call.getParent(), DL.getPointerSize(), Align(8));
  Value *CalleeTape = augRegionAddress(Region);
  if (!Callee->Complete) {
    Value *Size = AB.CreateLoad(AB.getInt64Ty(), Callee->TapeSize);
    Value *Heap = S.stacks().allocate(AB, Size, "callee.tape");
    AB.CreateStore(Heap, CalleeTape);
    CalleeTape = Heap;
  }
  if (AugArena)
    TapeStackOps::storeArena(AB, CalleeTape, AugArena);
  SmallVector<Value *, 8> Args{CalleeTape};
  for (auto [U, Activity] : zip(Call.args(), CR.Args)) {
    Args.push_back(augValue(U.get()));
    if (hasShadowArg(Activity))
      Args.push_back(augShadow(U.get()));
  }
  CallInst *AugCall = AB.CreateCall(Callee->Augmented, Args);
  AugCall->setDebugLoc(Copy->getDebugLoc());
  Value *Result = AugCall;
  if (CR.ReturnShadow) {
    Result = AB.CreateExtractValue(AugCall, 0);
    AugShadows[&Call] =
        AB.CreateExtractValue(AugCall, 1, Call.getName() + ".shadow");
  }
  if (!Copy->getType()->isVoidTy())
    Copy->replaceAllUsesWith(Result);
  VMap[&Call] = Result;
  Copy->eraseFromParent();
  CalleeTapes[&Call] = Region;
  return true;
}

/// Each thread of the region's team tapes into a buffer of its own; the
/// region's tape field holds the list of them.
bool ReverseBuilder::buildAugmentedParallelRegion(
    CallBase &Call, const ReverseFunctions &Callee, const DiffRequest &CR) {
  if (!Callee.Complete) {
    reportError(Call, "cannot differentiate a parallel region that runs "
                      "itself recursively");
    return false;
  }
  auto *Copy = cast<CallBase>(VMap[&Call]);
  TapeRegion Region =
      makeRegion(Call.getParent(), DL.getPointerSize(), Align(8));
  Value *List = augRegionAddress(Region);
  AB.CreateStore(Constant::getNullValue(AB.getPtrTy()), List);
  SmallVector<Value *, 8> Args;
  for (auto [U, Activity] : drop_begin(zip(Call.args(), CR.Args), 2)) {
    Args.push_back(augValue(U.get()));
    if (hasShadowArg(Activity))
      Args.push_back(augShadow(U.get()));
  }
  emitAugmentedParallelRegion(AB, parallelRegionLocation(Call),
                              *Callee.Augmented, Callee.TapeBytes, S.stacks(),
                              List, Args);
  VMap[&Call] = nullptr;
  Copy->eraseFromParent();
  CalleeTapes[&Call] = Region;
  return true;
}

bool ReverseBuilder::takeCriticalTicket(CallBase &Start) {
  auto *Lock = dyn_cast<GlobalVariable>(Start.getArgOperand(2));
  if (!Lock) {
    reportError(Start, "cannot differentiate a critical section whose lock "
                       "is not a global variable");
    return false;
  }
  augInsertAfter(VMap[&Start]);
  CriticalTickets[&Start] = fluxion::takeCriticalTicket(AB, *Lock);
  return true;
}

const CheckpointPlan *
ReverseBuilder::checkpointFor(CallBase &Call, const ReverseFunctions &Callee) {
  Function *Target = Call.getCalledFunction();
  std::string WhyNot;
  const CheckpointPlan *Plan =
      S.checkpointPlan(*CalleeRequests[&Call].Fn, WhyNot);
  if (Plan && !Callee.Complete) {
    Plan = nullptr;
    WhyNot = "it is recursive";
  }
  if (Plan && !windowsAreDisjoint(Call, *Plan, WhyNot))
    Plan = nullptr;
  if (!Plan) {
    reportMissed(Call, "NotCheckpointed",
                 "the call of '" + displayName(*Target) +
                     "' is taped, not recomputed: " + WhyNot);
    return nullptr;
  }
  reportRemark(Call, "Checkpointed",
               "the call of '" + displayName(*Target) +
                   "' is recomputed in the reverse sweep from a snapshot of " +
                   Twine(Plan->SnapshotBytes) + " bytes");
  return Plan;
}

/// The augmented function keeps the plain call and stores, before it, the
/// memory the call reads before writing.
void ReverseBuilder::buildSnapshot(CallBase &Call, const CheckpointPlan &Plan) {
  Checkpoints[&Call] = &Plan;
  if (!Plan.SnapshotBytes)
    return;
  TapeRegion Region =
      makeRegion(Call.getParent(), Plan.SnapshotBytes, Align(8));
  CalleeTapes[&Call] = Region;
  AB.SetInsertPoint(cast<Instruction>(VMap[&Call]));
  Value *Snapshot = augRegionAddress(Region);
  for (auto [W, Offset] : zip(Plan.Windows, Plan.SnapshotOffsets)) {
    if (!W.snapshotBytes())
      continue;
    Value *Source = AB.CreateConstGEP1_64(
        AB.getInt8Ty(), augValue(Call.getArgOperand(W.ArgNo)), W.ReadLo);
    AB.CreateMemCpy(AB.CreateConstGEP1_64(AB.getInt8Ty(), Snapshot, Offset),
                    Align(8), Source, Align(1), W.snapshotBytes());
  }
}

bool ReverseBuilder::buildAugmented() {
  Aug.getArg(0)->setName("tape");
  clonePrimalInto(Primal, Request, Aug, /*FirstParam=*/1, ".shadow", VMap,
                  AugShadows);
  if (S.module().getTargetTriple().isNVPTX()) {
    AB.SetInsertPoint(Aug.getEntryBlock().getFirstNonPHIOrDbgOrAlloca());
    AugArena = cast<LoadInst>(TapeStackOps::loadArena(AB, Aug.getArg(0)));
  }

  bool Ok = true;
  SmallVector<PHINode *, 8> ShadowPhis;
  ReversePostOrderTraversal<Function *> RPO(&Primal);
  for (BasicBlock *BB : RPO)
    for (Instruction &I : make_early_inc_range(*BB)) {
      if (!checkSupported(I, AA, DiffMode::Reverse)) {
        Ok = false;
        continue;
      }
      // After an error the rest is only checked: the shadows of values that
      // failed do not exist for later instructions to use.
      if (!Ok)
        continue;
      if (auto *Call = dyn_cast<CallBase>(&I);
          Call && Call->getCalledFunction() &&
          openMPRole(*Call->getCalledFunction()) == OpenMPRole::CriticalBegin) {
        Ok &= takeCriticalTicket(*Call);
        continue;
      }
      if (auto *Call = dyn_cast<CallBase>(&I); Call && AA.needsDerivative(I)) {
        CallKind Kind = classifyCall(*Call);
        if (Kind == CallKind::Defined) {
          Ok &= buildAugmentedCall(*Call);
          continue;
        }
        if (Kind == CallKind::Custom) {
          Ok &= buildAugmentedCustomCall(*Call);
          continue;
        }
        if (Kind == CallKind::Dynamic) {
          Ok &= buildAugmentedDynamicCall(*Call);
          continue;
        }
      }
      if (auto *MT = dyn_cast<MemTransferInst>(&I);
          MT && AA.hasShadow(MT->getDest()) && AA.hasShadow(MT->getSource())) {
        Type *Elem = deduceCopiedType(*MT);
        if (Elem && containsPointer(Elem)) {
          AB.SetInsertPoint(cast<Instruction>(VMap[MT]));
          Value *Dest = augShadow(MT->getDest());
          Value *Source = augShadow(MT->getSource());
          Value *Length = augValue(MT->getLength());
          // The primal itself copied into a stand-in destination.
          if (Value *StandIn = augStandIn(MT->getDest(), Dest))
            Length = unlessStandIn(AB, StandIn, Length);
          if (Elem->isPointerTy())
            AB.CreateMemTransferInst(MT->getIntrinsicID(), Dest,
                                     MT->getDestAlign(), Source,
                                     MT->getSourceAlign(), Length);
          else
            emitPointerShadowCopy(AB, Elem, Dest, Source, Length);
        }
        continue;
      }
      if (auto *SI = dyn_cast<StoreInst>(&I);
          SI && isDifferentiableType(SI->getValueOperand()->getType()) &&
          AA.hasShadow(SI->getPointerOperand()) &&
          isSharedArray(*getUnderlyingObject(SI->getPointerOperand()))) {
        // A shared array's shadow starts undefined: each place the primal
        // writes gets a zero adjoint, ordered by the primal's own barriers,
        // before the reverse sweep adds to it.
        augInsertAfter(VMap[SI]);
        AB.CreateAlignedStore(
            Constant::getNullValue(SI->getValueOperand()->getType()),
            augShadow(SI->getPointerOperand()), SI->getAlign());
        continue;
      }
      if (auto *SI = dyn_cast<StoreInst>(&I);
          SI && SI->getValueOperand()->getType()->isPointerTy() &&
          AA.hasShadow(SI->getPointerOperand())) {
        AB.SetInsertPoint(cast<Instruction>(VMap[SI]));
        Value *Dest = augShadow(SI->getPointerOperand());
        Value *Stored = augShadow(SI->getValueOperand());
        // Through a stand-in the store writes again what the primal wrote.
        if (Value *StandIn = augStandIn(SI->getPointerOperand(), Dest))
          Stored =
              AB.CreateSelect(StandIn, augValue(SI->getValueOperand()), Stored);
        AB.CreateAlignedStore(Stored, Dest, SI->getAlign());
        continue;
      }
      if (!I.getType()->isPointerTy() || !AA.hasShadow(&I))
        continue;
      Ok &= buildAugmentedShadow(I);
      if (auto *P = dyn_cast<PHINode>(&I); P && AugShadows.count(P))
        ShadowPhis.push_back(P);
    }
  for (PHINode *P : ShadowPhis) {
    auto *Shadow = cast<PHINode>(AugShadows[P]);
    for (auto [V, BB] : zip(P->incoming_values(), P->blocks()))
      Shadow->addIncoming(augShadow(V), cast<BasicBlock>(VMap[BB]));
  }
  if (Request.ReturnShadow)
    for (BasicBlock &BB : Primal)
      if (auto *Ret = dyn_cast<ReturnInst>(BB.getTerminator())) {
        auto *Copy = cast<ReturnInst>(VMap[Ret]);
        AB.SetInsertPoint(Copy);
        Value *Pair = PoisonValue::get(Aug.getReturnType());
        Pair = AB.CreateInsertValue(Pair, Copy->getReturnValue(), 0);
        Pair = AB.CreateInsertValue(Pair, augShadow(Ret->getReturnValue()), 1);
        AB.CreateRet(Pair);
        Copy->eraseFromParent();
      }
  return Ok;
}

//===-- Control flow of the reverse sweep ---------------------------------===//

SmallSetVector<BasicBlock *, 4>
ReverseBuilder::reachablePredecessors(BasicBlock *BB) const {
  SmallSetVector<BasicBlock *, 4> Preds;
  for (BasicBlock *Pred : predecessors(BB))
    if (RevBlocks.count(Pred))
      Preds.insert(Pred);
  return Preds;
}

Value *ReverseBuilder::cameFromByCounter(
    BasicBlock &Header, const SmallSetVector<BasicBlock *, 4> &Preds) {
  Loop *L = Loops.getLoopFor(&Header);
  if (Preds.size() != 2 || !L || L->getHeader() != &Header)
    return nullptr;
  bool FirstInside = L->contains(Preds[0]);
  bool SecondInside = L->contains(Preds[1]);
  if (FirstInside == SecondInside)
    return nullptr;
  BasicBlock *Entry = FirstInside ? Preds[1] : Preds[0];
  BasicBlock *Latch = FirstInside ? Preds[0] : Preds[1];
  // A loop counter i = phi [Start, Entry], [i + Step, Latch] with a constant
  // non-zero Step equals Start exactly in the first iteration, so when the
  // reverse sweep has the counter on the tape anyway it knows the way back
  // without taping the predecessor too.
  for (PHINode &Counter : Header.phis()) {
    if (!Counter.getType()->isIntegerTy() ||
        (!Cached.count({VMap[&Counter], &Header}) && !reverseCounter(Counter)))
      continue;
    Value *Start = Counter.getIncomingValueForBlock(Entry);
    auto *Next =
        dyn_cast<BinaryOperator>(Counter.getIncomingValueForBlock(Latch));
    if (!Next || Next->getOpcode() != Instruction::Add)
      continue;
    Value *Step = Next->getOperand(0) == &Counter   ? Next->getOperand(1)
                  : Next->getOperand(1) == &Counter ? Next->getOperand(0)
                                                    : nullptr;
    auto *StepConst = dyn_cast_or_null<ConstantInt>(Step);
    auto *StartInst = dyn_cast<Instruction>(Start);
    if (!StepConst || StepConst->isZero() ||
        (StartInst && L->contains(StartInst)))
      continue;
    Value *Later = B.CreateICmpNE(primal(&Counter), primal(Start));
    unsigned LatchIdx = Latch == Preds[0] ? 0 : 1;
    return B.CreateSelect(Later, B.getInt32(LatchIdx), B.getInt32(1 - LatchIdx),
                          "came.from.counter");
  }
  return nullptr;
}

Value *ReverseBuilder::cameFromByCondition(
    BasicBlock &Join, const SmallSetVector<BasicBlock *, 4> &Preds) {
  if (Preds.size() != 2)
    return nullptr;
  // Join is entered straight from a branch, or from a block that only the
  // branch's other side leads to (the skip of a loop's guard and the loop's
  // exit): when the condition is the same all through the call, it tells
  // which, and nothing is taped.
  for (unsigned Straight : {0u, 1u}) {
    BasicBlock *Branching = Preds[Straight];
    BasicBlock *Other = Preds[1 - Straight];
    auto *Br = dyn_cast<BranchInst>(Branching->getTerminator());
    if (!Br || !Br->isConditional() ||
        Br->getSuccessor(0) == Br->getSuccessor(1))
      continue;
    auto *Condition = dyn_cast<Instruction>(Br->getCondition());
    if (Condition && InCycle.count(Condition->getParent()))
      continue;
    // Another entry from Other needs another run of Branching first.
    SmallPtrSet<BasicBlock *, 1> Through = {Branching};
    if (!Dominators.dominates(Branching, Other) ||
        isPotentiallyReachable(&Join, Other, &Through))
      continue;
    Value *Taken = primal(Br->getCondition());
    if (Br->getSuccessor(1) == &Join)
      Taken = B.CreateNot(Taken);
    return B.CreateSelect(Taken, B.getInt32(Straight), B.getInt32(1 - Straight),
                          "came.from.branch");
  }
  return nullptr;
}

void ReverseBuilder::buildBlockExits() {
  // Which predecessor each join was entered from, recorded in the augmented
  // function and read back before the block's stacks are popped.
  DenseMap<BasicBlock *, Value *> CameFromIndex;
  for (BasicBlock &BB : Primal) {
    if (!RevBlocks.count(&BB))
      continue;
    SmallSetVector<BasicBlock *, 4> Preds = reachablePredecessors(&BB);
    if (Preds.size() < 2)
      continue;
    B.SetInsertPoint(RevBlocks[&BB]);
    CurrentPrimalBlock = &BB;
    Value *Derived = cameFromByCounter(BB, Preds);
    if (!Derived)
      Derived = cameFromByCondition(BB, Preds);
    if (Derived) {
      CameFromIndex[&BB] = Derived;
      continue;
    }
    auto *AugBB = cast<BasicBlock>(VMap[&BB]);
    AB.SetInsertPoint(AugBB, AugBB->begin());
    PHINode *Index = AB.CreatePHI(AB.getInt32Ty(), Preds.size(), "came.from");
    for (BasicBlock *Pred : predecessors(&BB)) {
      auto Position = find(Preds, Pred);
      unsigned Idx = Position == Preds.end() ? 0 : Position - Preds.begin();
      Index->addIncoming(AB.getInt32(Idx), cast<BasicBlock>(VMap[Pred]));
    }
    CameFromIndex[&BB] = reload(Index, &BB);
  }

  for (BasicBlock &BB : Primal) {
    BasicBlock *RevBB = RevBlocks.lookup(&BB);
    if (!RevBB)
      continue;
    B.SetInsertPoint(RevBB);
    for (auto &[Counter, Slot] : ReverseCounters) {
      if (Counter->getParent() != &BB)
        continue;
      Value *Step = primal(counterStep(*Counter, Loops));
      B.CreateStore(B.CreateSub(B.CreateLoad(Counter->getType(), Slot), Step),
                    Slot);
    }
    for (unsigned Field : StacksToPop.lookup(&BB))
      S.stacks().pop(B, Layout.fieldAddress(B, Rev.getArg(0), Field));
    if (&BB == &Primal.getEntryBlock()) {
      B.CreateBr(RevExit);
      continue;
    }
    SmallSetVector<BasicBlock *, 4> Preds = reachablePredecessors(&BB);
    SmallVector<PHINode *, 4> ActivePhis;
    for (PHINode &P : BB.phis())
      if (isActive(&P))
        ActivePhis.push_back(&P);
    // One edge block per predecessor moves the adjoints of the phis to the
    // values that flowed in along that edge.
    SmallVector<BasicBlock *, 4> Edges;
    for (BasicBlock *Pred : Preds) {
      if (ActivePhis.empty()) {
        Edges.push_back(RevBlocks[Pred]);
        continue;
      }
      BasicBlock *Edge = BasicBlock::Create(
          Rev.getContext(), RevBB->getName() + ".from." + Pred->getName(),
          &Rev);
      IRBuilder<>::InsertPointGuard Guard(B);
      B.SetInsertPoint(Edge);
      SmallVector<Value *, 4> PhiAdjoints;
      for (PHINode *P : ActivePhis)
        PhiAdjoints.push_back(takeAdjoint(P));
      for (auto [P, Adjoint] : zip(ActivePhis, PhiAdjoints))
        addAdjoint(P->getIncomingValueForBlock(Pred), Adjoint);
      B.CreateBr(RevBlocks[Pred]);
      Edges.push_back(Edge);
    }
    if (Edges.size() == 1) {
      B.CreateBr(Edges.front());
      continue;
    }
    SwitchInst *Switch =
        B.CreateSwitch(CameFromIndex[&BB], Edges.back(), Edges.size() - 1);
    for (unsigned Idx = 0; Idx + 1 < Edges.size(); ++Idx)
      Switch->addCase(B.getInt32(Idx), Edges[Idx]);
  }
}

void ReverseBuilder::buildExit() {
  B.SetInsertPoint(RevExit);
  Windows.finish(B);
  for (const StackSite &Stack : Stacks)
    S.stacks().release(B, Layout.fieldAddress(B, Rev.getArg(0), Stack.Field),
                       Stack.Kept, Stack.ElemSize);
  if (Rev.getReturnType()->isVoidTy()) {
    B.CreateRetVoid();
    return;
  }
  Value *Result = PoisonValue::get(Rev.getReturnType());
  unsigned Out = 0;
  for (auto [Arg, Activity] : zip(Primal.args(), Request.Args)) {
    if (Activity != ArgActivity::Out)
      continue;
    Value *Adjoint = Constant::getNullValue(Arg.getType());
    if (isActive(&Arg))
      Adjoint = B.CreateLoad(Arg.getType(), adjointSlot(&Arg));
    Result = B.CreateInsertValue(Result, Adjoint, Out++);
  }
  B.CreateRet(Result);
}

bool ReverseBuilder::run() {
  B.setFastMathFlags(derivativeMathFlags());
  for (const auto &SCC : make_range(scc_begin(&Primal), scc_end(&Primal)))
    if (SCC.size() > 1 || is_contained(successors(SCC.front()), SCC.front()))
      for (BasicBlock *BB : SCC) {
        InCycle.insert(BB);
        CycleSize[BB] = SCC.size();
      }

  WritesCallerMemory =
      !Request.CallerMemoryStable || writesCallerMemory(Primal);
  if (!buildAugmented())
    return false;

  // Reverse function: arguments mirror the augmented function's.
  Rev.getArg(0)->setName("tape");
  unsigned RevArg = 1;
  for (auto [Arg, Activity] : zip(Primal.args(), Request.Args)) {
    Rev.getArg(RevArg++)->setName(Arg.getName());
    if (!hasShadowArg(Activity))
      continue;
    RevShadowArgs[&Arg] = Rev.getArg(RevArg);
    Rev.getArg(RevArg++)->setName(Arg.getName() + ".shadow");
  }
  if (Request.ReturnActive)
    RevDReturn = Rev.getArg(RevArg);

  LLVMContext &Ctx = Rev.getContext();
  RevEntry = BasicBlock::Create(Ctx, "entry", &Rev);
  ReversePostOrderTraversal<Function *> RPO(&Primal);
  for (BasicBlock *BB : RPO) {
    RevBlocks[BB] = BasicBlock::Create(Ctx, "rev." + BB->getName(), &Rev);
    if (isa<ReturnInst>(BB->getTerminator()))
      ReturnBlock = BB;
  }
  RevExit = BasicBlock::Create(Ctx, "exit", &Rev);
  if (!ReturnBlock) {
    reportError(*Primal.getEntryBlock().getTerminator(),
                "cannot differentiate '" + displayName(Primal) +
                    "' in reverse mode: it never returns");
    return false;
  }
  B.SetInsertPoint(RevEntry);
  B.CreateBr(RevBlocks[ReturnBlock]);

  bool Ok = true;
  for (BasicBlock *BB : RPO) {
    B.SetInsertPoint(RevBlocks[BB]);
    CurrentPrimalBlock = BB;
    auto *Ret = dyn_cast<ReturnInst>(BB->getTerminator());
    if (Ret && RevDReturn && Ret->getReturnValue())
      addAdjoint(Ret->getReturnValue(), RevDReturn);
    for (Instruction &I : reverse(*BB)) {
      if (I.isTerminator() || isa<PHINode>(I))
        continue;
      auto *Call = dyn_cast<CallBase>(&I);
      bool IsBarrier = Call && classifyCall(*Call) == CallKind::Barrier;
      if (!Ok || (!IsBarrier && !AA.needsDerivative(I)))
        continue;
      // The adjoint code of anything but a load or a math function without
      // pointer arguments may read or write shadows.
      bool MathOnly = Call && classifyCall(*Call) == CallKind::Elementwise &&
                      none_of(Call->args(), [](const Use &U) {
                        return U->getType()->isPointerTy();
                      });
      if (!isa<LoadInst>(I) && I.mayReadOrWriteMemory() && !MathOnly) {
        flushShadowAdds();
        if (Request.Parallel == Parallelism::Region)
          Windows.flush(B);
      }
      Ok &= visit(I);
    }
    flushShadowAdds();
  }
  if (!Ok)
    return false;
  buildBlockExits();
  buildExit();

  buildStackReservations();
  Fns.TapeBytes = Layout.finalize();
  reportTape();
  LLVM_DEBUG(dbgs() << "fluxion: augmented\n" << Aug << "reverse\n" << Rev);
  return true;
}

void ReverseBuilder::reportTape() {
  for (auto &[Key, Slot] : Cached) {
    auto [V, Site] = Key;
    auto *I = dyn_cast<Instruction>(V);
    if (!I)
      continue;
    StringRef How = VMap.lookup(Site) == I->getParent()
                        ? (Slot.IsStack ? "cached once per loop iteration: "
                                        : "cached for the reverse sweep: ")
                        : (Slot.IsStack ? "cached once per run of its loop, "
                                          "the value it leaves: "
                                        : "cached once, the last value of its "
                                          "loop: ");
    reportRemark(*I, "Cached", How + describeValue(*V));
  }
  for (auto &[Key, Region] : Snapshots) {
    auto [Object, L] = Key;
    reportRemark(L->getStartLoc(), *L->getHeader(), "Snapshot",
                 "the loop reads " + describeValue(*Object) +
                     " from a snapshot of its " + Twine(Region.Size) +
                     " bytes taken on entry, not from values taped per "
                     "iteration");
  }
  // What a loop costs in memory: the bytes its stacks grow by per iteration.
  MapVector<Loop *, uint64_t> BytesPerIteration;
  for (const StackSite &Stack : Stacks)
    if (Loop *L = Loops.getLoopFor(Stack.Block))
      BytesPerIteration[L] += Stack.ElemSize;
  for (auto [L, Bytes] : BytesPerIteration)
    reportRemark(L->getStartLoc(), *L->getHeader(), "TapePerIteration",
                 "loop tapes " + Twine(Bytes) + " bytes per iteration");
}

void ReverseBuilder::buildStackReservations() {
  // Stacks start empty in each activation of the augmented function, with
  // room for every push when the trip counts of their loops are known; on a
  // GPU, the bytes they take from an arena are summed before the arena is
  // read, so that the entry up to that sum tells a launch what to allocate.
  if (AugArena)
    AB.SetInsertPoint(AugArena);
  else
    AB.SetInsertPoint(Aug.getEntryBlock().getFirstNonPHIOrDbgOrAlloca());
  DenseMap<BasicBlock *, Value *> MaxRuns;
  SmallVector<Value *, 8> Reserved;
  Value *ArenaBytes = nullptr;
  for (const StackSite &Stack : Stacks) {
    auto [Runs, New] = MaxRuns.try_emplace(Stack.Block);
    if (New)
      Runs->second =
          Stack.Block ? maxRunsAtEntry(*Stack.Block) : AB.getInt64(ArrayBytes);
    Reserved.push_back(Runs->second);
    if (!AugArena || !Runs->second)
      continue;
    Value *Taken = TapeStackOps::arenaBytes(
        AB, AB.CreateMul(Runs->second, AB.getInt64(Stack.ElemSize)));
    ArenaBytes =
        ArenaBytes ? AB.CreateAdd(ArenaBytes, Taken, "arena.bytes") : Taken;
  }
  Fns.ArenaBytes = ArenaBytes;
  if (AugArena)
    AB.SetInsertPoint(AugArena->getNextNode());
  for (auto [Stack, Runs] : zip(Stacks, Reserved)) {
    Value *Header = Layout.fieldAddress(AB, Aug.getArg(0), Stack.Field);
    S.stacks().init(AB, Header, Stack.Kept, Stack.ElemSize);
    if (Runs)
      S.stacks().reserve(AB, Header, AugArena, Runs, Stack.ElemSize);
  }
}

bool synthesizeReverse(Synthesizer &S, const DiffRequest &Request,
                       Function &Primal, ReverseFunctions &Fns) {
  return ReverseBuilder(S, Request, Primal, Fns).run();
}

} // namespace fluxion
