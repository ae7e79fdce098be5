//===- ReverseTape.cpp - The tape of a reverse-mode derivative ------------===//
//
// What the reverse sweep reads of the primal, and from where: tape fields
// and per-iteration stacks (sized at entry from loop trip counts), values
// recomputed from their operands, caller memory read again when nothing
// overwrites it, loop counters counted down, shadows.
//
//===----------------------------------------------------------------------===//

#include "LibraryFunctions.h"
#include "ReverseBuilder.h"

#include "llvm/IR/MDBuilder.h"

#define DEBUG_TYPE "fluxion-reverse"

using namespace llvm;

namespace fluxion {

//===-- The tape ----------------------------------------------------------===//

TapeRegion ReverseBuilder::makeRegion(BasicBlock *PrimalBlock, uint64_t Size,
                                      Align A) {
  if (!InCycle.count(PrimalBlock))
    return {Layout.addField(Size, A), false, Size};
  unsigned Field = Layout.addStack();
  Stacks.push_back(
      {Field, PrimalBlock, Size,
       S.stacks().keptBuffer("fluxion.tape.kept." + Aug.getName())});
  StacksToPop[PrimalBlock].push_back(Field);
  return {Field, true, Size};
}

TapeRegion ReverseBuilder::makeArrayRegion(BasicBlock *PrimalBlock,
                                           uint64_t Size, Align A) {
  if (InCycle.count(PrimalBlock))
    return makeRegion(PrimalBlock, Size, A);
  if (!ArrayBlock) {
    ArrayBlock = Layout.addStack();
    Stacks.push_back(
        {*ArrayBlock, nullptr, 1,
         S.stacks().keptBuffer("fluxion.tape.kept." + Aug.getName())});
  }
  // The block's buffer is 16-byte aligned.
  ArrayBytes = alignTo(ArrayBytes, std::min(A, TapeLayout::MaxAlign));
  TapeRegion R{*ArrayBlock, false, Size, ArrayBytes};
  ArrayBytes += Size;
  return R;
}

/// The address of array-block region \p R, from the block's header \p Header.
static Value *arrayRegionAddress(IRBuilderBase &B, Value *Header,
                                 const TapeRegion &R) {
  Value *Block = B.CreateLoad(B.getPtrTy(), Header, "array.block");
  return B.CreateConstInBoundsGEP1_64(B.getInt8Ty(), Block, *R.ArrayOffset);
}

Value *ReverseBuilder::augRegionAddress(const TapeRegion &R) {
  Value *Address = Layout.fieldAddress(AB, Aug.getArg(0), R.Field);
  if (R.ArrayOffset)
    return arrayRegionAddress(AB, Address, R);
  if (!R.IsStack)
    return Address;
  return S.stacks().push(AB, Address, R.Size);
}

Value *ReverseBuilder::revRegionAddress(const TapeRegion &R) {
  Value *Address = Layout.fieldAddress(B, Rev.getArg(0), R.Field);
  if (R.ArrayOffset)
    return arrayRegionAddress(B, Address, R);
  if (!R.IsStack)
    return Address;
  return S.stacks().top(B, Address, R.Size);
}

void ReverseBuilder::augInsertAfter(Value *AugV) {
  auto *I = cast<Instruction>(AugV);
  if (isa<PHINode>(I))
    AB.SetInsertPoint(I->getParent()->getFirstNonPHIIt());
  else
    AB.SetInsertPoint(std::next(I->getIterator()));
}

Value *ReverseBuilder::reload(Value *AugV, BasicBlock *DefBlock) {
  if (isa<Constant>(AugV))
    return AugV;
  if (auto *A = dyn_cast<Argument>(AugV))
    return Rev.getArg(A->getArgNo());
  Type *Ty = AugV->getType();
  BasicBlock *Site = cacheSite(DefBlock);
  auto Found = Cached.find({AugV, Site});
  if (Found == Cached.end()) {
    TapeRegion R =
        makeRegion(Site, DL.getTypeAllocSize(Ty), DL.getABITypeAlign(Ty));
    if (Site == DefBlock)
      augInsertAfter(AugV);
    else
      AB.SetInsertPoint(cast<BasicBlock>(VMap[Site])->getFirstInsertionPt());
    tagTapeAccess(*AB.CreateStore(AugV, augRegionAddress(R)));
    Found = Cached.try_emplace({AugV, Site}, R).first;
    LLVM_DEBUG(dbgs() << "fluxion: caching " << *AugV
                      << (R.IsStack ? " per iteration\n" : "\n"));
  }
  LoadInst *Cached = B.CreateLoad(Ty, revRegionAddress(Found->second),
                                  AugV->getName() + ".cached");
  tagTapeAccess(*Cached);
  return Cached;
}

/// How often \p L probably branches back when scalar evolution cannot prove
/// it: a loop whose one exit tests `iv < bound` on an induction variable
/// {start, +, step} with a loop-invariant step (a grid-stride loop steps by
/// gridDim * blockDim, which might wrap as far as SCEV knows) goes on
/// ceil((bound - start) / step) times. An estimate only sizes a stack; if
/// the loop runs longer, the stack grows.
static const SCEV *estimatedBackedgeTakenCount(Loop &L, ScalarEvolution &SE) {
  BasicBlock *Exiting = L.getExitingBlock();
  auto *Br = Exiting ? dyn_cast<BranchInst>(Exiting->getTerminator()) : nullptr;
  auto *Cmp = Br && Br->isConditional() ? dyn_cast<ICmpInst>(Br->getCondition())
                                        : nullptr;
  if (!Cmp)
    return nullptr;
  // The predicate under which the loop goes on.
  ICmpInst::Predicate Stay = L.contains(Br->getSuccessor(0))
                                 ? Cmp->getPredicate()
                                 : Cmp->getInversePredicate();
  // Pointer walks (`for (p = x; p < x + n; ++p)`) count in bytes.
  auto AsInteger = [&](Value *V) {
    const SCEV *Expr = SE.getSCEV(V);
    return Expr->getType()->isPointerTy()
               ? SE.getPtrToIntExpr(Expr,
                                    SE.getEffectiveSCEVType(Expr->getType()))
               : Expr;
  };
  const SCEV *IV = AsInteger(Cmp->getOperand(0));
  const SCEV *Bound = AsInteger(Cmp->getOperand(1));
  if (isa<SCEVCouldNotCompute>(IV) || isa<SCEVCouldNotCompute>(Bound))
    return nullptr;
  if (!isa<SCEVAddRecExpr>(IV)) {
    std::swap(IV, Bound);
    Stay = ICmpInst::getSwappedPredicate(Stay);
  }
  auto *Rec = dyn_cast<SCEVAddRecExpr>(IV);
  if (!Rec || Rec->getLoop() != &L || !Rec->isAffine() ||
      !SE.isLoopInvariant(Bound, &L) ||
      (Stay != ICmpInst::ICMP_SLT && Stay != ICmpInst::ICMP_ULT))
    return nullptr;
  const SCEV *Step = Rec->getStepRecurrence(SE);
  const SCEV *Start = Rec->getStart();
  bool Signed = Stay == ICmpInst::ICMP_SLT;
  // Runs of the latch with iv < bound: ceil((bound - start) / step), none
  // when the loop is entered past its bound.
  const SCEV *Distance = SE.getMinusSCEV(Signed ? SE.getSMaxExpr(Bound, Start)
                                                : SE.getUMaxExpr(Bound, Start),
                                         Start);
  const SCEV *Rounded = SE.getAddExpr(
      Distance, SE.getMinusSCEV(Step, SE.getOne(Step->getType())));
  return SE.getUDivExpr(Rounded, Step);
}

Value *ReverseBuilder::maxRunsAtEntry(BasicBlock &Block) {
  auto &FAM = S.preprocessed().analyses();
  auto &SE = FAM.getResult<ScalarEvolutionAnalysis>(Primal);
  auto &LI = FAM.getResult<LoopAnalysis>(Primal);
  Loop *L = LI.getLoopFor(&Block);
  if (!L || CycleSize.lookup(L->getOutermostLoop()->getHeader()) !=
                L->getOutermostLoop()->getNumBlocks())
    return nullptr;
  // A block runs at most as often as its loop headers, each at most once
  // more than its backedge is taken per entry of the loop.
  SmallVector<Value *, 4> Counts;
  for (; L; L = L->getParentLoop()) {
    const SCEV *Taken = SE.getSymbolicMaxBackedgeTakenCount(L);
    if (isa<SCEVCouldNotCompute>(Taken))
      Taken = estimatedBackedgeTakenCount(*L, SE);
    Value *Count = Taken ? expandAtEntry(Taken) : nullptr;
    if (!Count)
      return nullptr;
    Counts.push_back(Count);
  }
  // Room for more elements than this is left to growth, as is room for
  // loops whose bound is unknown.
  constexpr uint64_t MaxReserved = uint64_t(1) << 22;
  Value *Cap = AB.getInt64(MaxReserved + 1);
  // The builder folds constant arithmetic but not intrinsics: constant trip
  // counts give a constant reservation.
  auto Capped = [&](Value *V) -> Value * {
    if (auto *C = dyn_cast<ConstantInt>(V))
      return AB.getInt64(std::min(C->getZExtValue(), MaxReserved + 1));
    return AB.CreateBinaryIntrinsic(Intrinsic::umin, V, Cap);
  };
  Value *Runs = AB.getInt64(1);
  for (Value *Count : Counts) {
    Value *Iterations = AB.CreateAdd(
        Capped(AB.CreateZExtOrTrunc(Count, AB.getInt64Ty())), AB.getInt64(1));
    Runs = Capped(AB.CreateMul(Runs, Iterations));
  }
  Value *Reserved =
      AB.CreateSelect(AB.CreateICmpUGT(Runs, AB.getInt64(MaxReserved)),
                      AB.getInt64(0), Runs, "tape.max.runs");
  auto *Fixed = dyn_cast<ConstantInt>(Reserved);
  return Fixed && Fixed->isZero() ? nullptr : Reserved;
}

Value *ReverseBuilder::expandAtEntry(const SCEV *Expr) {
  Type *Ty = Expr->getType();
  if (!Ty->isIntegerTy())
    return nullptr;
  if (auto *C = dyn_cast<SCEVConstant>(Expr))
    return C->getValue();
  if (auto *U = dyn_cast<SCEVUnknown>(Expr)) {
    if (isa<Argument>(U->getValue()))
      return VMap.lookup(U->getValue());
    if (readsThreadConstant(*U->getValue()))
      return AB.CreateIntrinsic(
          cast<IntrinsicInst>(U->getValue())->getIntrinsicID(), {});
    return nullptr;
  }
  if (auto *Cast = dyn_cast<SCEVCastExpr>(Expr)) {
    Value *Op = expandAtEntry(Cast->getOperand());
    if (!Op)
      return nullptr;
    if (isa<SCEVZeroExtendExpr>(Cast))
      return AB.CreateZExt(Op, Ty);
    if (isa<SCEVSignExtendExpr>(Cast))
      return AB.CreateSExt(Op, Ty);
    if (isa<SCEVTruncateExpr>(Cast))
      return AB.CreateTrunc(Op, Ty);
    if (isa<SCEVPtrToIntExpr>(Cast))
      return AB.CreatePtrToInt(Op, Ty);
    return nullptr;
  }
  auto *Nary = dyn_cast<SCEVNAryExpr>(Expr);
  auto *Division = dyn_cast<SCEVUDivExpr>(Expr);
  if (Division) {
    Value *L = expandAtEntry(Division->getLHS());
    Value *R = expandAtEntry(Division->getRHS());
    return L && R ? AB.CreateUDiv(
                        L, AB.CreateBinaryIntrinsic(Intrinsic::umax, R,
                                                    ConstantInt::get(Ty, 1)))
                  : nullptr;
  }
  if (!Nary || isa<SCEVAddRecExpr>(Nary))
    return nullptr;
  std::optional<Intrinsic::ID> Combine;
  Instruction::BinaryOps Op = Instruction::Add;
  switch (Nary->getSCEVType()) {
  case scAddExpr:
    break;
  case scMulExpr:
    Op = Instruction::Mul;
    break;
  case scUMaxExpr:
    Combine = Intrinsic::umax;
    break;
  case scSMaxExpr:
    Combine = Intrinsic::smax;
    break;
  case scUMinExpr:
  case scSequentialUMinExpr:
    Combine = Intrinsic::umin;
    break;
  case scSMinExpr:
    Combine = Intrinsic::smin;
    break;
  default:
    return nullptr;
  }
  Value *Result = nullptr;
  for (const SCEV *Operand : Nary->operands()) {
    Value *V = expandAtEntry(Operand);
    if (!V)
      return nullptr;
    if (!Result)
      Result = V;
    else if (Combine)
      Result = AB.CreateBinaryIntrinsic(*Combine, Result, V);
    else
      Result = AB.CreateBinOp(Op, Result, V);
  }
  return Result;
}

BasicBlock *ReverseBuilder::cacheSite(BasicBlock *DefBlock) const {
  if (!DefBlock || !CurrentPrimalBlock || !InCycle.count(DefBlock))
    return DefBlock;
  // The outermost loop around the definition that the reverse block being
  // built is outside of: what that block reads is the value the loop left
  // when it last exited, kept at its exit once per run of the loop rather
  // than once per iteration.
  Loop *Left = nullptr;
  for (Loop *L = Loops.getLoopFor(DefBlock);
       L && !L->contains(CurrentPrimalBlock); L = L->getParentLoop())
    Left = L;
  if (!Left)
    return DefBlock;
  // Natural loops only: the largest cycle through the outermost header is
  // exactly that loop.
  Loop *Outermost = Left->getOutermostLoop();
  if (CycleSize.lookup(Outermost->getHeader()) != Outermost->getNumBlocks())
    return DefBlock;
  // A dedicated exit runs once per exit of the loop.
  BasicBlock *Exit = Left->getExitBlock();
  if (!Exit || !Dominators.dominates(DefBlock, Exit) ||
      !all_of(predecessors(Exit),
              [&](BasicBlock *Pred) { return Left->contains(Pred); }))
    return DefBlock;
  return Exit;
}

/// Memory the augmented function allocates itself; everything else belongs
/// to the caller.
bool isLocalObject(const Value *Object) {
  const auto *Call = dyn_cast<CallBase>(Object);
  return isa<AllocaInst>(Object) ||
         (Call && allocationKind(*Call) != AllocationKind::None);
}

/// Whether \p F may write memory its caller owns. When it does not, values
/// loaded from such memory are read again in the reverse sweep instead of
/// being cached.
bool writesCallerMemory(Function &F) {
  auto Escapes = [](const Value *Ptr) {
    return !isLocalObject(getUnderlyingObject(Ptr));
  };
  for (Instruction &I : instructions(F)) {
    if (auto *SI = dyn_cast<StoreInst>(&I)) {
      if (Escapes(SI->getPointerOperand()))
        return true;
      continue;
    }
    if (auto *MI = dyn_cast<MemIntrinsic>(&I)) {
      if (Escapes(MI->getDest()))
        return true;
      continue;
    }
    auto *Call = dyn_cast<CallBase>(&I);
    if (!Call) {
      if (I.mayWriteToMemory())
        return true;
      continue;
    }
    CallKind Kind = classifyCall(*Call);
    if (Kind == CallKind::Deallocation) {
      if (Escapes(Call->getArgOperand(0)))
        return true;
      continue;
    }
    if (Kind == CallKind::Elementwise || Kind == CallKind::Reduction ||
        Kind == CallKind::Allocation || Call->onlyReadsMemory())
      continue;
    if (Kind == CallKind::Inert && !any_of(Call->args(), [](const Use &U) {
          return U->getType()->isPointerTy();
        }))
      continue;
    return true;
  }
  return false;
}

Value *ReverseBuilder::recompute(Instruction &I, bool Shadow) {
  Instruction *Copy = cast<Instruction>(VMap.lookup(&I))->clone();
  for (Use &U : I.operands()) {
    bool ShadowOperand = Shadow && U->getType()->isPointerTy();
    Copy->setOperand(U.getOperandNo(),
                     ShadowOperand ? shadow(U.get()) : primal(U.get()));
  }
  B.Insert(Copy);
  Copy->setName(I.getName() + (Shadow ? ".shadow" : ""));
  if (isa<LoadInst>(Copy) && !Shadow)
    markMemory(*Copy, /*Shadow=*/false);
  return Copy;
}

void ReverseBuilder::markMemory(Instruction &Access, bool Shadow) {
  if (!PrimalScope) {
    MDBuilder MDB(Rev.getContext());
    MDNode *Domain = MDB.createAnonymousAliasScopeDomain("fluxion.reverse");
    PrimalScope = MDNode::get(Rev.getContext(),
                              MDB.createAnonymousAliasScope(Domain, "primal"));
    ShadowScope = MDNode::get(Rev.getContext(),
                              MDB.createAnonymousAliasScope(Domain, "shadow"));
  }
  Access.setMetadata(LLVMContext::MD_alias_scope,
                     Shadow ? ShadowScope : PrimalScope);
  Access.setMetadata(LLVMContext::MD_noalias,
                     Shadow ? PrimalScope : ShadowScope);
}

/// Instructions cheaper to evaluate again in the reverse sweep than to keep:
/// the reverse sweep then caches only the values they are computed from (a
/// loop index instead of every element address and product derived from it).
static bool isCheapPure(const Instruction &I) {
  if (const auto *BO = dyn_cast<BinaryOperator>(&I))
    return !BO->isIntDivRem() && BO->getOpcode() != Instruction::FDiv &&
           BO->getOpcode() != Instruction::FRem;
  if (const auto *II = dyn_cast<IntrinsicInst>(&I)) {
    switch (II->getIntrinsicID()) {
    case Intrinsic::fmuladd:
    case Intrinsic::fma:
    case Intrinsic::fabs:
    case Intrinsic::copysign:
    case Intrinsic::minnum:
    case Intrinsic::maxnum:
      return true;
    default:
      return false;
    }
  }
  return isa<UnaryOperator, CastInst, CmpInst, SelectInst, GetElementPtrInst,
             ExtractValueInst, InsertValueInst, ExtractElementInst,
             InsertElementInst, ShuffleVectorInst, FreezeInst>(I);
}

bool ReverseBuilder::isRecomputable(Instruction &I) {
  if (RecomputeDepth > MaxRecomputeDepth)
    return false;
  if (isCheapPure(I))
    return true;
  auto *LI = dyn_cast<LoadInst>(&I);
  return LI && isRereadable(*LI);
}

bool ReverseBuilder::isRereadable(LoadInst &Load) {
  if (!Request.CallerMemoryStable || Load.isVolatile() || Load.isAtomic())
    return false;
  auto [Known, New] = Rereadable.try_emplace(&Load, false);
  if (!New)
    return Known->second;
  // Only memory known to outlive the augmented function: the caller's
  // (reached from an argument, a global, or a pointer read from such
  // memory).
  const Value *Object = getUnderlyingObject(Load.getPointerOperand());
  bool CallerMemory = isa<Argument, GlobalVariable>(Object);
  if (auto *Base = dyn_cast<LoadInst>(Object))
    CallerMemory = isRereadable(*const_cast<LoadInst *>(Base));
  bool Result = CallerMemory && !overwrittenLater(Load);
  Rereadable[&Load] = Result;
  return Result;
}

/// Whether \p I is a call that writes nothing a load of the program reads:
/// errno (libm with -fmath-errno; alias analysis knows that errno is apart
/// only for accesses with a type tag, which the locations of loads in loops
/// drop), or the hidden state of a math function of the C library without
/// pointer arguments (lgamma's signgam).
static bool writesOnlyLibraryState(const Instruction &I) {
  const auto *Call = dyn_cast<CallBase>(&I);
  if (!Call)
    return false;
  if (!isModSet(Call->getMemoryEffects()
                    .getWithoutLoc(IRMemLocation::ErrnoMem)
                    .getModRef()))
    return true;
  const Function *Callee = Call->getCalledFunction();
  if (!Callee || !Call->getType()->isFloatingPointTy() ||
      any_of(Call->args(),
             [](const Use &U) { return U->getType()->isPointerTy(); }))
    return false;
  // TargetLibraryInfo does not list the lgamma family.
  return libraryFunction(*Callee) ||
         is_contained({"lgamma", "lgammaf", "lgammal"}, Callee->getName());
}

/// Whether anything the function does after \p Load may write the memory it
/// read: the reverse sweep runs once the whole forward sweep is done.
bool ReverseBuilder::overwrittenLater(LoadInst &Load) {
  if (!WritesCallerMemory)
    return false;
  constexpr unsigned MaxQueries = 4096;
  MemoryLocation Location = MemoryLocation::get(&Load);
  // Alias analysis compares the addresses of one iteration; a load in a
  // loop reads the addresses of all of them, so any offset from its base
  // may be written later (x[i - 1] read, x[i] written the next iteration).
  if (Loops.getLoopFor(Load.getParent()))
    Location = MemoryLocation::getBeforeOrAfter(Load.getPointerOperand());
  unsigned Queries = 0;
  for (Instruction &I : instructions(Primal)) {
    if (!I.mayWriteToMemory() || writesOnlyLibraryState(I) ||
        !isPotentiallyReachable(&Load, &I, nullptr, &Dominators, &Loops))
      continue;
    if (++Queries > MaxQueries || isModSet(Aliases.getModRefInfo(&I, Location)))
      return true;
  }
  return false;
}

Value *ReverseBuilder::primal(Value *V) {
  if (auto *I = dyn_cast<Instruction>(V)) {
    // One evaluation per reverse block is enough: the block is built front
    // to back, so an earlier evaluation dominates every later use.
    Value *&Known = PrimalInBlock[{I, B.GetInsertBlock()}];
    if (Known)
      return Known;
    if (auto *Counter = dyn_cast<PHINode>(I)) {
      if (AllocaInst *Slot = reverseCounter(*Counter))
        return PrimalInBlock[{I, B.GetInsertBlock()}] = B.CreateLoad(
                   Counter->getType(), Slot, Counter->getName() + ".reverse");
    }
    if (isRecomputable(*I)) {
      ++RecomputeDepth;
      Value *Recomputed = recompute(*I, /*Shadow=*/false);
      --RecomputeDepth;
      return PrimalInBlock[{I, B.GetInsertBlock()}] = Recomputed;
    }
    if (auto *Load = dyn_cast<LoadInst>(I))
      if (Value *FromSnapshot = loadFromSnapshot(*Load))
        return PrimalInBlock[{I, B.GetInsertBlock()}] = FromSnapshot;
    return PrimalInBlock[{I, B.GetInsertBlock()}] =
               reload(VMap.lookup(I), I->getParent());
  }
  if (auto *A = dyn_cast<Argument>(V))
    return reload(VMap.lookup(A), nullptr);
  return V;
}

bool ReverseBuilder::writesInLoop(Loop &L, AllocaInst &Object) {
  auto [Known, New] = LoopWrites.try_emplace({&L, &Object}, true);
  if (!New)
    return Known->second;
  MemoryLocation Everywhere = MemoryLocation::getBeforeOrAfter(&Object);
  bool Writes = any_of(L.blocks(), [&](BasicBlock *BB) {
    return any_of(*BB, [&](Instruction &I) {
      return I.mayWriteToMemory() && !writesOnlyLibraryState(I) &&
             isModSet(Aliases.getModRefInfo(&I, Everywhere));
    });
  });
  LoopWrites[{&L, &Object}] = Writes;
  return Writes;
}

/// Whether \p Ptr is \p Object or address arithmetic on it alone.
static bool addressesObject(Value *Ptr, AllocaInst &Object) {
  if (Ptr == &Object)
    return true;
  auto *GEP = dyn_cast<GetElementPtrInst>(Ptr);
  return GEP && addressesObject(GEP->getPointerOperand(), Object);
}

Value *ReverseBuilder::rebase(Value *Ptr, AllocaInst &Object, Value *Base) {
  if (Ptr == &Object)
    return Base;
  auto *GEP = cast<GetElementPtrInst>(Ptr);
  auto *Copy = GEP->clone();
  Copy->setOperand(0, rebase(GEP->getPointerOperand(), Object, Base));
  for (unsigned Idx = 1; Idx < GEP->getNumOperands(); ++Idx)
    Copy->setOperand(Idx, primal(GEP->getOperand(Idx)));
  B.Insert(Copy);
  Copy->setName(GEP->getName() + ".snapshot");
  return Copy;
}

Value *ReverseBuilder::loadFromSnapshot(LoadInst &Load) {
  if (Load.isVolatile() || Load.isAtomic() || !CurrentPrimalBlock)
    return nullptr;
  Loop *Inner = Loops.getLoopFor(Load.getParent());
  if (!Inner || !Inner->contains(CurrentPrimalBlock))
    return nullptr;
  auto *Object =
      dyn_cast<AllocaInst>(getUnderlyingObject(Load.getPointerOperand()));
  std::optional<TypeSize> Size =
      Object ? Object->getAllocationSize(DL) : std::nullopt;
  constexpr uint64_t MaxSnapshotBytes = 64 * 1024;
  if (!Size || Size->isScalable() || Size->getFixedValue() > MaxSnapshotBytes ||
      !addressesObject(Load.getPointerOperand(), *Object))
    return nullptr;
  // The outermost loop around the load that leaves the object alone; a
  // snapshot pays only when that loop runs the load's own loop more than
  // once per entry (taping the load would store the same values again).
  Loop *Unwritten = nullptr;
  for (Loop *L = Inner; L && !writesInLoop(*L, *Object); L = L->getParentLoop())
    Unwritten = L;
  if (!Unwritten || Unwritten == Inner || !Unwritten->getLoopPreheader() ||
      Unwritten->contains(Object->getParent()))
    return nullptr;
  uint64_t Bytes = Size->getFixedValue();
  auto [Found, New] = Snapshots.try_emplace({Object, Unwritten});
  if (New) {
    BasicBlock *Preheader = Unwritten->getLoopPreheader();
    TapeRegion R = makeArrayRegion(Preheader, Bytes, Object->getAlign());
    AB.SetInsertPoint(cast<BasicBlock>(VMap[Preheader])->getTerminator());
    AB.CreateMemCpy(augRegionAddress(R), MaybeAlign(), VMap[Object],
                    Object->getAlign(), Bytes);
    Found->second = R;
  }
  Value *Address = rebase(Load.getPointerOperand(), *Object,
                          revRegionAddress(Found->second));
  // Stack elements follow each other in a 16-byte aligned buffer.
  Align Aligned = std::min(Load.getAlign(), commonAlignment(Align(16), Bytes));
  return B.CreateAlignedLoad(Load.getType(), Address, Aligned,
                             Load.getName() + ".snapshot");
}

/// The step of loop counter \p Phi = phi [Start, outside], [Phi + Step,
/// latch] of a loop with one exit block, entered only from the loop; Step is
/// a constant or a value from outside the loop (`i * n` stepping by n).
Value *counterStep(PHINode &Phi, const LoopInfo &Loops) {
  Loop *L = Loops.getLoopFor(Phi.getParent());
  if (!L || L->getHeader() != Phi.getParent() ||
      !Phi.getType()->isIntegerTy() || Phi.getNumIncomingValues() != 2)
    return nullptr;
  BasicBlock *Latch = L->getLoopLatch();
  BasicBlock *Exit = L->getExitBlock();
  if (!Latch || !Exit || !Exit->getSinglePredecessor())
    return nullptr;
  auto *Next = dyn_cast<BinaryOperator>(Phi.getIncomingValueForBlock(Latch));
  if (!Next || Next->getOpcode() != Instruction::Add)
    return nullptr;
  Value *Step = Next->getOperand(0) == &Phi   ? Next->getOperand(1)
                : Next->getOperand(1) == &Phi ? Next->getOperand(0)
                                              : nullptr;
  return Step && L->isLoopInvariant(Step) ? Step : nullptr;
}

Value *ReverseBuilder::lastCountAtEntry(PHINode &Phi) {
  auto &FAM = S.preprocessed().analyses();
  auto &SE = FAM.getResult<ScalarEvolutionAnalysis>(Primal);
  // Scalar evolution's own loops, not the builder's.
  Loop *L = FAM.getResult<LoopAnalysis>(Primal).getLoopFor(Phi.getParent());
  auto *Counter = dyn_cast<SCEVAddRecExpr>(SE.getSCEV(&Phi));
  if (!L || !Counter || Counter->getLoop() != L || !Counter->isAffine())
    return nullptr;
  const SCEV *Taken = SE.getBackedgeTakenCount(L);
  if (isa<SCEVCouldNotCompute>(Taken))
    return nullptr;
  const SCEV *Last = Counter->evaluateAtIteration(Taken, SE);
  if (Last->getType() != Phi.getType())
    return nullptr;
  AB.SetInsertPoint(Aug.getEntryBlock().getTerminator());
  return expandAtEntry(Last);
}

AllocaInst *ReverseBuilder::reverseCounter(PHINode &Phi) {
  Loop *L = Loops.getLoopFor(Phi.getParent());
  // Outside its loop the slot no longer holds the counter: the reverse
  // loop has not started yet, or has already counted it down.
  if (!L || !CurrentPrimalBlock || !L->contains(CurrentPrimalBlock))
    return nullptr;
  auto Found = ReverseCounters.find(&Phi);
  if (Found != ReverseCounters.end())
    return Found->second;
  if (!counterStep(Phi, Loops) || !RevBlocks.count(L->getExitBlock()))
    return nullptr;
  // The reverse sweep runs the loop's iterations backwards: the counter
  // starts at its value in the last iteration, kept once per run of the
  // loop at its exit, and steps back at the end of each reverse iteration
  // (buildBlockExits).
  BasicBlock *Exit = L->getExitBlock();
  Type *Ty = Phi.getType();
  TapeRegion Last;
  if (Value *AtEntry = lastCountAtEntry(Phi)) {
    // The same for every run of the loop: one field written at entry.
    Last = {Layout.addField(DL.getTypeAllocSize(Ty), DL.getABITypeAlign(Ty)),
            false, DL.getTypeAllocSize(Ty)};
    tagTapeAccess(*AB.CreateStore(AtEntry, augRegionAddress(Last)));
  } else {
    Last = makeRegion(Exit, DL.getTypeAllocSize(Ty), DL.getABITypeAlign(Ty));
    auto *AugExit = cast<BasicBlock>(VMap[Exit]);
    AB.SetInsertPoint(AugExit->getFirstInsertionPt());
    tagTapeAccess(*AB.CreateStore(augValue(&Phi), augRegionAddress(Last)));
  }

  IRBuilder<> EB(RevEntry, RevEntry->getFirstInsertionPt());
  AllocaInst *Slot = EB.CreateAlloca(Ty, nullptr, Phi.getName() + ".counter");
  IRBuilderBase::InsertPointGuard Guard(B);
  BasicBlock *RevExitBlock = RevBlocks[Exit];
  B.SetInsertPoint(RevExitBlock, RevExitBlock->getFirstInsertionPt());
  LoadInst *Count = B.CreateLoad(Ty, revRegionAddress(Last));
  tagTapeAccess(*Count);
  B.CreateStore(Count, Slot);
  ReverseCounters[&Phi] = Slot;
  return Slot;
}

Value *ReverseBuilder::shadow(Value *V) {
  // Memory without a shadow: the primal pointer stands in for one.
  if (!isa<Constant>(V) && !AA.hasShadow(V))
    return primal(V);
  if (auto *A = dyn_cast<Argument>(V))
    return RevShadowArgs.lookup(A);
  if (auto *Address = dyn_cast<Constant>(V)) {
    Value *Shadow = constantShadow(Rev, Address, DiffMode::Reverse);
    return Shadow ? Shadow : Constant::getNullValue(V->getType());
  }
  auto Region = ShadowRegions.find(V);
  if (Region != ShadowRegions.end())
    return revRegionAddress(Region->second);
  auto *I = cast<Instruction>(V);
  if (isa<GetElementPtrInst, CastInst>(I))
    return recompute(*I, /*Shadow=*/true);
  return reload(AugShadows.lookup(I), I->getParent());
}

} // namespace fluxion
