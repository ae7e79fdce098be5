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

#include "ActivityAnalysis.h"
#include "Checkpoint.h"
#include "CustomRules.h"
#include "DerivativeRules.h"
#include "Diagnostics.h"
#include "InstructionSupport.h"
#include "ShadowMemory.h"
#include "Synthesizer.h"
#include "TypeAnalysis.h"
#include "WarpShuffle.h"

#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/PostOrderIterator.h"
#include "llvm/ADT/SCCIterator.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Analysis/AliasAnalysis.h"
#include "llvm/Analysis/CFG.h"
#include "llvm/Analysis/LoopInfo.h"
#include "llvm/Analysis/ScalarEvolution.h"
#include "llvm/Analysis/ScalarEvolutionExpressions.h"
#include "llvm/Analysis/ValueTracking.h"
#include "llvm/IR/CFG.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/InstVisitor.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Debug.h"
#include "llvm/Transforms/Utils/Cloning.h"

#define DEBUG_TYPE "fluxion-reverse"

using namespace llvm;

namespace fluxion {
namespace {

/// Bytes of the tape written at one program point of the augmented function
/// and read back in the reverse function: a field of the tape, or, for
/// program points inside a loop, the top element of a stack.
struct TapeRegion {
  unsigned Field;
  bool IsStack;
  uint64_t Size;
};

class ReverseBuilder : public InstVisitor<ReverseBuilder, bool> {
public:
  ReverseBuilder(Synthesizer &S, const DiffRequest &Request, Function &Primal,
                 ReverseFunctions &Fns)
      : S(S), Request(Request), Primal(Primal), Aug(*Fns.Augmented),
        Rev(*Fns.Reverse), Fns(Fns), AA(Primal, Request),
        DL(Primal.getDataLayout()), AB(Primal.getContext()),
        B(Primal.getContext()), Dominators(Primal), Loops(Dominators),
        Aliases(S.preprocessed().analyses().getResult<AAManager>(Primal)) {}

  bool run();

  // Reverse-sweep code for one primal instruction, emitted at the end of the
  // reverse block being built.
  bool visitInstruction(Instruction &I) { return true; }
  bool visitBinaryOperator(BinaryOperator &I) { return visitElementwise(I); }
  bool visitUnaryOperator(UnaryOperator &I) { return visitElementwise(I); }
  bool visitCastInst(CastInst &I);
  bool visitSelectInst(SelectInst &I);
  bool visitExtractValueInst(ExtractValueInst &I);
  bool visitInsertValueInst(InsertValueInst &I);
  bool visitExtractElementInst(ExtractElementInst &I);
  bool visitInsertElementInst(InsertElementInst &I);
  bool visitShuffleVectorInst(ShuffleVectorInst &I);
  bool visitFreezeInst(FreezeInst &I);
  bool visitLoadInst(LoadInst &I);
  bool visitStoreInst(StoreInst &I);
  bool visitAtomicRMWInst(AtomicRMWInst &I);
  bool visitAllocaInst(AllocaInst &I);
  bool visitCallBase(CallBase &I);

private:
  // Augmented forward function.
  bool buildAugmented();
  bool buildAugmentedShadow(Instruction &I);
  bool buildAugmentedCall(CallBase &Call);
  bool buildAugmentedCustomCall(CallBase &Call);
  /// The snapshot plan when \p Call of a checkpointed callee can be
  /// recomputed in the reverse sweep instead of taped, else null.
  const CheckpointPlan *checkpointFor(CallBase &Call,
                                      const ReverseFunctions &Callee);
  void buildSnapshot(CallBase &Call, const CheckpointPlan &Plan);
  /// The arguments of a custom reverse-mode rule for \p Call: each argument,
  /// pointers followed by their shadows (null where inactive).
  SmallVector<Value *, 8> customRuleArgs(CallBase &Call, bool InReverse);
  Value *augShadow(Value *PrimalV);
  /// The augmented function's copy of primal value \p V.
  Value *augValue(Value *V) {
    Value *Copy = VMap.lookup(V);
    return Copy ? Copy : V;
  }
  /// Positions AB right after the augmented copy of primal \p V.
  void augInsertAfter(Value *AugV);

  // The tape.
  TapeRegion makeRegion(BasicBlock *PrimalBlock, uint64_t Size, Align A);
  Value *augRegionAddress(const TapeRegion &R);
  Value *revRegionAddress(const TapeRegion &R);
  /// The value of augmented-function value \p AugV, defined in primal block
  /// \p DefBlock, read back at the reverse builder's position.
  Value *reload(Value *AugV, BasicBlock *DefBlock);
  /// Whether a value defined in \p DefBlock is read by the reverse block
  /// being built only after the loops around \p DefBlock are done, so only
  /// the last value they produced is needed.
  bool onlyLastValueNeeded(BasicBlock *DefBlock) const;
  /// At most how many times \p Block runs in one call, computed at the
  /// augmented function's entry (AB's position) from the symbolic trip
  /// counts of its loops (0 past a cap); null when a count is unknown there.
  Value *maxRunsAtEntry(BasicBlock &Block);
  /// \p Expr, over the function's parameters only, computed at AB's
  /// position; null for any other expression.
  Value *expandAtEntry(const SCEV *Expr);
  /// The primal value \p V as seen by the reverse sweep.
  Value *primal(Value *V);
  /// The shadow of primal pointer \p V as seen by the reverse sweep.
  Value *shadow(Value *V);
  /// Address arithmetic, and loads of caller memory the function never
  /// writes, are evaluated again in the reverse sweep rather than cached.
  bool isRecomputable(Instruction &I);
  /// Loads of caller memory nothing overwrites after them are read again
  /// in the reverse sweep of a combined gradient.
  bool isRereadable(LoadInst &Load);
  bool overwrittenLater(LoadInst &Load);
  Value *recompute(Instruction &I, bool Shadow);
  /// A stack slot of the reverse function holding loop counter \p Phi in
  /// each reverse iteration of its loop, so the counter is never taped; null
  /// when \p Phi is not a counter or the block being built is outside its
  /// loop.
  AllocaInst *reverseCounter(PHINode &Phi);

  // Adjoints.
  bool isActive(Value *V) const { return AA.isActive(V); }
  AllocaInst *adjointSlot(Value *V);
  void addAdjoint(Value *V, Value *Delta);
  /// Reads the adjoint of \p V and resets it to zero.
  Value *takeAdjoint(Value *V);
  Value *addValues(Value *L, Value *R);

  bool visitElementwise(Instruction &I);
  bool visitDefinedCall(CallBase &Call);
  bool visitCustomCall(CallBase &Call);
  bool visitCheckpointedCall(CallBase &Call, const CheckpointPlan &Plan);
  bool visitShuffle(CallBase &Call);
  /// Adds the adjoints a callee's reverse function returned to its Out
  /// arguments.
  void addArgumentAdjoints(CallBase &Call, const DiffRequest &CR,
                           Value *Adjoints);
  bool visitMemTransfer(MemTransferInst &Copy);
  SmallSetVector<BasicBlock *, 4> reachablePredecessors(BasicBlock *BB) const;
  /// The predecessor index of a loop header, derived from a loop counter
  /// instead of taped, or null.
  Value *cameFromByCounter(BasicBlock &Header,
                           const SmallSetVector<BasicBlock *, 4> &Preds);
  void buildBlockExits();
  void buildExit();

  Synthesizer &S;
  const DiffRequest &Request;
  Function &Primal;
  Function &Aug;
  Function &Rev;
  ReverseFunctions &Fns;
  ActivityAnalysis AA;
  const DataLayout &DL;
  IRBuilder<> AB; ///< Builds the augmented function.
  IRBuilder<> B;  ///< Builds the reverse function.

  ValueToValueMapTy VMap; ///< Primal value to augmented copy.
  DenseMap<Value *, Value *> AugShadows;
  /// Shadows of fixed-size stack allocations, kept in the tape.
  DenseMap<Value *, TapeRegion> ShadowRegions;
  /// Allocations whose shadow the reverse sweep releases.
  SmallPtrSet<Value *, 8> HeapShadows;
  DenseMap<Value *, Value *> RevShadowArgs;
  Value *RevDReturn = nullptr;
  TapeLayout Layout;
  DenseMap<Value *, TapeRegion> Cached;
  DenseMap<Value *, TapeRegion> CachedLast;
  MapVector<PHINode *, AllocaInst *> ReverseCounters;
  /// The primal block whose reverse code is being built.
  BasicBlock *CurrentPrimalBlock = nullptr;
  DenseMap<BasicBlock *, SmallVector<unsigned, 4>> StacksToPop;
  /// Each stack, the primal block that pushes it and its element size.
  struct StackSite {
    unsigned Field;
    BasicBlock *Block;
    uint64_t ElemSize;
  };
  SmallVector<StackSite, 8> Stacks;
  SmallPtrSet<BasicBlock *, 16> InCycle;
  /// The number of blocks of the largest cycle through each block.
  DenseMap<BasicBlock *, unsigned> CycleSize;
  DominatorTree Dominators;
  /// Natural loops of the primal, for loop counters.
  LoopInfo Loops;
  bool WritesCallerMemory = true;
  AAResults &Aliases;
  DenseMap<const LoadInst *, bool> Rereadable;
  /// Primal values already evaluated in a reverse block.
  DenseMap<std::pair<Value *, BasicBlock *>, Value *> PrimalInBlock;
  /// Bounds chains of recomputation; past it values are cached.
  unsigned RecomputeDepth = 0;
  static constexpr unsigned MaxRecomputeDepth = 16;
  DenseMap<BasicBlock *, BasicBlock *> RevBlocks;
  DenseMap<BasicBlock *, PHINode *> CameFrom;
  DenseMap<CallBase *, TapeRegion> CalleeTapes;
  DenseMap<CallBase *, const ReverseFunctions *> Callees;
  DenseMap<CallBase *, DiffRequest> CalleeRequests;
  /// The tape a custom augmented rule returned, per call.
  DenseMap<CallBase *, Value *> CustomTapes;
  /// Calls recomputed in the reverse sweep; CalleeTapes holds their
  /// snapshots.
  DenseMap<CallBase *, const CheckpointPlan *> Checkpoints;
  MapVector<Value *, AllocaInst *> Adjoints;
  BasicBlock *RevEntry = nullptr;
  BasicBlock *RevExit = nullptr;
  BasicBlock *ReturnBlock = nullptr;
};

//===-- The tape ----------------------------------------------------------===//

TapeRegion ReverseBuilder::makeRegion(BasicBlock *PrimalBlock, uint64_t Size,
                                      Align A) {
  if (!InCycle.count(PrimalBlock))
    return {Layout.addField(Size, A), false, Size};
  unsigned Field = Layout.addStack();
  Stacks.push_back({Field, PrimalBlock, Size});
  StacksToPop[PrimalBlock].push_back(Field);
  return {Field, true, Size};
}

Value *ReverseBuilder::augRegionAddress(const TapeRegion &R) {
  Value *Address = Layout.fieldAddress(AB, Aug.getArg(0), R.Field);
  if (!R.IsStack)
    return Address;
  return S.stacks().push(AB, Address, R.Size);
}

Value *ReverseBuilder::revRegionAddress(const TapeRegion &R) {
  Value *Address = Layout.fieldAddress(B, Rev.getArg(0), R.Field);
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
  bool LastOnly = onlyLastValueNeeded(DefBlock);
  auto &Cache = LastOnly ? CachedLast : Cached;
  auto Found = Cache.find(AugV);
  if (Found == Cache.end()) {
    // The last value a loop produced, read after the loop, is one field the
    // loop overwrites rather than a stack it pushes.
    TapeRegion R = LastOnly
                       ? TapeRegion{Layout.addField(DL.getTypeAllocSize(Ty),
                                                    DL.getABITypeAlign(Ty)),
                                    false, DL.getTypeAllocSize(Ty)}
                       : makeRegion(DefBlock, DL.getTypeAllocSize(Ty),
                                    DL.getABITypeAlign(Ty));
    augInsertAfter(AugV);
    AB.CreateStore(AugV, augRegionAddress(R));
    Found = Cache.try_emplace(AugV, R).first;
    LLVM_DEBUG(dbgs() << "fluxion: caching " << *AugV
                      << (R.IsStack ? " per iteration\n" : "\n"));
  }
  return B.CreateLoad(Ty, revRegionAddress(Found->second),
                      AugV->getName() + ".cached");
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
    Value *Count =
        isa<SCEVCouldNotCompute>(Taken) ? nullptr : expandAtEntry(Taken);
    if (!Count)
      return nullptr;
    Counts.push_back(Count);
  }
  // Room for more elements than this is left to growth, as is room for
  // loops whose bound is unknown.
  constexpr uint64_t MaxReserved = uint64_t(1) << 22;
  Value *Cap = AB.getInt64(MaxReserved + 1);
  Value *Runs = AB.getInt64(1);
  for (Value *Count : Counts) {
    Value *Iterations = AB.CreateAdd(
        AB.CreateBinaryIntrinsic(
            Intrinsic::umin, AB.CreateZExtOrTrunc(Count, AB.getInt64Ty()), Cap),
        AB.getInt64(1));
    Runs = AB.CreateBinaryIntrinsic(Intrinsic::umin,
                                    AB.CreateMul(Runs, Iterations), Cap);
  }
  return AB.CreateSelect(AB.CreateICmpUGT(Runs, AB.getInt64(MaxReserved)),
                         AB.getInt64(0), Runs, "tape.max.runs");
}

Value *ReverseBuilder::expandAtEntry(const SCEV *Expr) {
  Type *Ty = Expr->getType();
  if (!Ty->isIntegerTy())
    return nullptr;
  if (auto *C = dyn_cast<SCEVConstant>(Expr))
    return C->getValue();
  if (auto *U = dyn_cast<SCEVUnknown>(Expr))
    return isa<Argument>(U->getValue()) ? VMap.lookup(U->getValue()) : nullptr;
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

bool ReverseBuilder::onlyLastValueNeeded(BasicBlock *DefBlock) const {
  if (!DefBlock || !CurrentPrimalBlock || !InCycle.count(DefBlock))
    return false;
  Loop *L = Loops.getLoopFor(DefBlock);
  if (!L)
    return false;
  // The loop nest runs once (no cycle encloses it), and the reverse sweep
  // reads the value after it.
  Loop *Outermost = L->getOutermostLoop();
  return CycleSize.lookup(Outermost->getHeader()) ==
             Outermost->getNumBlocks() &&
         !Outermost->contains(CurrentPrimalBlock);
}

/// Memory the augmented function allocates itself; everything else belongs
/// to the caller.
static bool isLocalObject(const Value *Object) {
  const auto *Call = dyn_cast<CallBase>(Object);
  return isa<AllocaInst>(Object) ||
         (Call && allocationKind(*Call) != AllocationKind::None);
}

/// Whether \p F may write memory its caller owns. When it does not, values
/// loaded from such memory are read again in the reverse sweep instead of
/// being cached.
static bool writesCallerMemory(Function &F) {
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
    if (Kind == CallKind::Elementwise || Kind == CallKind::Allocation ||
        Call->onlyReadsMemory())
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
  return Copy;
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

/// Whether anything the function does after \p Load may write the memory it
/// read: the reverse sweep runs once the whole forward sweep is done.
bool ReverseBuilder::overwrittenLater(LoadInst &Load) {
  if (!WritesCallerMemory)
    return false;
  constexpr unsigned MaxQueries = 4096;
  MemoryLocation Location = MemoryLocation::get(&Load);
  unsigned Queries = 0;
  for (Instruction &I : instructions(Primal)) {
    if (!I.mayWriteToMemory() ||
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
    return PrimalInBlock[{I, B.GetInsertBlock()}] =
               reload(VMap.lookup(I), I->getParent());
  }
  if (auto *A = dyn_cast<Argument>(V))
    return reload(VMap.lookup(A), nullptr);
  return V;
}

/// The step of loop counter \p Phi = phi [Start, outside], [Phi + Step,
/// latch] of a loop with one exit block, entered only from the loop.
static ConstantInt *counterStep(PHINode &Phi, const LoopInfo &Loops) {
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
  return dyn_cast_or_null<ConstantInt>(Step);
}

AllocaInst *ReverseBuilder::reverseCounter(PHINode &Phi) {
  auto Found = ReverseCounters.find(&Phi);
  if (Found != ReverseCounters.end())
    return Found->second;
  Loop *L = Loops.getLoopFor(Phi.getParent());
  if (!counterStep(Phi, Loops) || !CurrentPrimalBlock ||
      !L->contains(CurrentPrimalBlock) || !RevBlocks.count(L->getExitBlock()))
    return nullptr;
  // The reverse sweep runs the loop's iterations backwards: the counter
  // starts at its value in the last iteration, kept once per run of the
  // loop at its exit, and steps back at the end of each reverse iteration
  // (buildBlockExits).
  BasicBlock *Exit = L->getExitBlock();
  Type *Ty = Phi.getType();
  TapeRegion Last =
      makeRegion(Exit, DL.getTypeAllocSize(Ty), DL.getABITypeAlign(Ty));
  auto *AugExit = cast<BasicBlock>(VMap[Exit]);
  AB.SetInsertPoint(AugExit->getFirstInsertionPt());
  AB.CreateStore(augValue(&Phi), augRegionAddress(Last));

  IRBuilder<> EB(RevEntry, RevEntry->getFirstInsertionPt());
  AllocaInst *Slot = EB.CreateAlloca(Ty, nullptr, Phi.getName() + ".counter");
  IRBuilderBase::InsertPointGuard Guard(B);
  BasicBlock *RevExitBlock = RevBlocks[Exit];
  B.SetInsertPoint(RevExitBlock, RevExitBlock->getFirstInsertionPt());
  B.CreateStore(B.CreateLoad(Ty, revRegionAddress(Last)), Slot);
  ReverseCounters[&Phi] = Slot;
  return Slot;
}

Value *ReverseBuilder::shadow(Value *V) {
  if (auto *A = dyn_cast<Argument>(V))
    return RevShadowArgs.lookup(A);
  if (auto *Address = dyn_cast<Constant>(V))
    return sharedShadow(Address);
  auto Region = ShadowRegions.find(V);
  if (Region != ShadowRegions.end())
    return revRegionAddress(Region->second);
  auto *I = cast<Instruction>(V);
  if (isa<GetElementPtrInst, CastInst>(I))
    return recompute(*I, /*Shadow=*/true);
  return reload(AugShadows.lookup(I), I->getParent());
}

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
  RuleOperands R(B, I.getType(), Fetch);
  for (unsigned Idx = 0; Idx < NumOperands && Idx < Rule->Partials.size();
       ++Idx) {
    Value *Op = I.getOperand(Idx);
    if (!Rule->Partials[Idx] || !isActive(Op))
      continue;
    addAdjoint(Op, scaleByPartial(B, Rule->Partials[Idx](R).get(), DY));
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
  Value *Shadow = shadow(I.getPointerOperand());
  // On a GPU other threads may read the same element and add their
  // adjoints concurrently; memory private to the thread needs no atomics.
  bool Shared = Primal.getParent()->getTargetTriple().isNVPTX() &&
                !isLocalObject(getUnderlyingObject(I.getPointerOperand()));
  if (Shared && I.getType()->isFloatingPointTy()) {
    B.CreateAtomicRMW(AtomicRMWInst::FAdd, Shadow, DY, I.getAlign(),
                      AtomicOrdering::Monotonic);
    return true;
  }
  Value *Old = B.CreateAlignedLoad(I.getType(), Shadow, I.getAlign());
  B.CreateAlignedStore(addValues(Old, DY), Shadow, I.getAlign());
  return true;
}

bool ReverseBuilder::visitStoreInst(StoreInst &I) {
  Value *Stored = I.getValueOperand();
  if (!AA.hasShadow(I.getPointerOperand()) ||
      !isDifferentiableType(Stored->getType()))
    return true;
  // The adjoint of the overwritten memory flows to the stored value; what was
  // there before the store never reached later reads.
  Value *Shadow = shadow(I.getPointerOperand());
  Type *Ty = Stored->getType();
  Value *DV = B.CreateAlignedLoad(Ty, Shadow, I.getAlign());
  B.CreateAlignedStore(Constant::getNullValue(Ty), Shadow, I.getAlign());
  addAdjoint(Stored, DV);
  return true;
}

/// `*p += v` leaves v in the memory for good: v's adjoint is the adjoint
/// the memory has by then, which stays there (other threads' adds share it).
bool ReverseBuilder::visitAtomicRMWInst(AtomicRMWInst &I) {
  Value *Added = I.getValOperand();
  if (!AA.hasShadow(I.getPointerOperand()) || !isActive(Added))
    return true;
  Value *Adjoint = B.CreateAlignedLoad(
      Added->getType(), shadow(I.getPointerOperand()), I.getAlign());
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
  if (!AA.hasShadow(Copy.getSource())) {
    B.CreateMemSet(shadow(Dest), B.getInt8(0), primal(Copy.getLength()),
                   Copy.getDestAlign());
    return true;
  }
  Type *Elem = deduceElementType(Dest);
  if (!Elem)
    Elem = deduceElementType(Copy.getSource());
  if (!Elem) {
    reportError(Copy, "cannot deduce the type of the data this copy moves; "
                      "access the buffers with typed loads or stores");
    return false;
  }
  if (!isDifferentiableType(Elem))
    return true;
  emitCopyAdjoint(B, Elem, shadow(Dest), shadow(Copy.getSource()),
                  primal(Copy.getLength()), isa<MemMoveInst>(Copy));
  return true;
}

bool ReverseBuilder::visitShuffle(CallBase &Call) {
  Shuffle S = *asShuffle(Call);
  if (!isActive(&Call) || !isActive(S.Data))
    return true;
  Value *DY = takeAdjoint(&Call);
  Shuffle Primal{S.Mode, primal(S.Mask), nullptr, primal(S.Offset),
                 primal(S.Clamp)};
  std::string WhyNot;
  Value *DX = emitShuffleAdjoint(B, Primal, DY, WhyNot);
  if (!DX) {
    reportError(Call, WhyNot);
    return false;
  }
  addAdjoint(S.Data, DX);
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
    auto *Mirror = cast<CallBase>(I.clone());
    for (Use &Arg : Mirror->args())
      Arg.set(primal(Arg.get()));
    B.Insert(Mirror);
    return true;
  }
  case CallKind::Allocation:
    if (AA.hasShadow(&I))
      releaseShadow(B, I, shadow(&I));
    return true;
  case CallKind::Elementwise:
    return visitElementwise(I);
  case CallKind::Shuffle:
    return visitShuffle(I);
  case CallKind::Defined:
    return visitDefinedCall(I);
  case CallKind::Custom:
    return visitCustomCall(I);
  case CallKind::MemSet: {
    auto &MS = cast<MemSetInst>(I);
    if (!AA.hasShadow(MS.getDest()))
      return true;
    B.CreateMemSet(shadow(MS.getDest()), B.getInt8(0), primal(MS.getLength()),
                   MS.getDestAlign());
    return true;
  }
  case CallKind::MemTransfer:
    return visitMemTransfer(cast<MemTransferInst>(I));
  }
  llvm_unreachable("unknown call kind");
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
  SmallVector<Value *, 8> Args = customRuleArgs(Call, /*InReverse=*/true);
  if (isDifferentiableType(Call.getType()))
    Args.push_back(isActive(&Call) ? takeAdjoint(&Call)
                                   : Constant::getNullValue(Call.getType()));
  Args.push_back(reload(Found->second, Call.getParent()));
  if (Rule->arg_size() != Args.size()) {
    reportError(Call, "reverse rule '" + Rule->getName() + "' for '" +
                          Callee->getName() + "' takes " +
                          Twine(Rule->arg_size()) + " parameters, expected " +
                          Twine(Args.size()));
    return false;
  }
  CallInst *Adjoints = B.CreateCall(Rule, Args);
  SmallVector<Value *, 4> Floating;
  for (const Use &U : Call.args())
    if (isDifferentiableType(U->getType()))
      Floating.push_back(U.get());
  if (Floating.empty())
    return true;
  // One floating parameter may come back bare or as a one-field struct.
  bool Bare = Floating.size() == 1 &&
              Adjoints->getType() == Floating.front()->getType();
  for (auto [Idx, V] : enumerate(Floating)) {
    Value *Adjoint = Adjoints;
    if (!Bare && Adjoints->getType()->isStructTy() &&
        Idx < Adjoints->getType()->getStructNumElements())
      Adjoint = B.CreateExtractValue(Adjoints, Idx);
    if (Adjoint->getType() != V->getType()) {
      reportError(Call, "reverse rule '" + Rule->getName() +
                            "' must return the adjoints of the floating "
                            "parameters of '" +
                            Callee->getName() + "'");
      return false;
    }
    addAdjoint(V, Adjoint);
  }
  return true;
}

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
    reportError(Call, "'" + Callee->getName() +
                          "' has a forward rule but no reverse rule");
    return false;
  }
  auto *Copy = cast<CallBase>(VMap[&Call]);
  AB.SetInsertPoint(Copy);
  SmallVector<Value *, 8> Args = customRuleArgs(Call, /*InReverse=*/false);
  if (Rule.Augmented->arg_size() != Args.size()) {
    reportError(Call, "augmented rule '" + Rule.Augmented->getName() +
                          "' for '" + Callee->getName() + "' takes " +
                          Twine(Rule.Augmented->arg_size()) +
                          " parameters, expected " + Twine(Args.size()));
    return false;
  }
  CallInst *Result = AB.CreateCall(Rule.Augmented, Args);
  Value *Tape = Result;
  if (!Call.getType()->isVoidTy()) {
    if (!Result->getType()->isStructTy() ||
        Result->getType()->getStructNumElements() != 2) {
      reportError(Call, "augmented rule '" + Rule.Augmented->getName() +
                            "' must return {void *tape, result}");
      return false;
    }
    Tape = AB.CreateExtractValue(Result, 0, "custom.tape");
    Value *Primal = AB.CreateExtractValue(Result, 1);
    Copy->replaceAllUsesWith(Primal);
    VMap[&Call] = Primal;
  }
  Copy->eraseFromParent();
  CustomTapes[&Call] = Tape;
  return true;
}

Value *ReverseBuilder::augShadow(Value *PrimalV) {
  if (Value *Shadow = AugShadows.lookup(PrimalV))
    return Shadow;
  if (auto *Address = dyn_cast<Constant>(PrimalV);
      Address && AA.hasShadow(Address))
    return sharedShadow(Address);
  return Constant::getNullValue(PrimalV->getType());
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
    AugShadows[&I] =
        AB.CreateAlignedLoad(I.getType(), augShadow(LI->getPointerOperand()),
                             LI->getAlign(), I.getName() + ".shadow");
    return true;
  }
  if (auto *AI = dyn_cast<AllocaInst>(&I);
      AI && AI->isStaticAlloca() && !InCycle.count(AI->getParent())) {
    // The reverse sweep reads this shadow after the augmented function's
    // frame is gone, so it lives in the tape.
    uint64_t Size = *AI->getAllocationSize(DL);
    TapeRegion Region = makeRegion(AI->getParent(), Size, AI->getAlign());
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

bool ReverseBuilder::buildAugmentedCall(CallBase &Call) {
  DiffRequest CR = calleeRequest(Call, AA, DiffMode::Reverse);
  if (none_of(CR.Args, [](ArgActivity A) { return A != ArgActivity::Const; }) &&
      !CR.ReturnActive)
    return true;
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
    Value *Heap = AB.CreateCall(S.module().getOrInsertFunction(
                                    "malloc", AB.getPtrTy(), AB.getInt64Ty()),
                                {Size}, "callee.tape");
    AB.CreateStore(Heap, CalleeTape);
    CalleeTape = Heap;
  }
  SmallVector<Value *, 8> Args{CalleeTape};
  for (auto [U, Activity] : zip(Call.args(), CR.Args)) {
    Args.push_back(augValue(U.get()));
    if (hasShadowArg(Activity))
      Args.push_back(augShadow(U.get()));
  }
  CallInst *AugCall = AB.CreateCall(Callee->Augmented, Args);
  AugCall->setDebugLoc(Copy->getDebugLoc());
  if (!Copy->getType()->isVoidTy())
    Copy->replaceAllUsesWith(AugCall);
  VMap[&Call] = AugCall;
  Copy->eraseFromParent();
  CalleeTapes[&Call] = Region;
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
                 "the call of '" + Target->getName() +
                     "' is taped, not recomputed: " + WhyNot);
    return nullptr;
  }
  reportRemark(Call, "Checkpointed",
               "the call of '" + Target->getName() +
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

  bool Ok = true;
  SmallVector<PHINode *, 8> ShadowPhis;
  ReversePostOrderTraversal<Function *> RPO(&Primal);
  for (BasicBlock *BB : RPO)
    for (Instruction &I : make_early_inc_range(*BB)) {
      if (!checkSupported(I, AA, DiffMode::Reverse)) {
        Ok = false;
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
      }
      if (auto *MT = dyn_cast<MemTransferInst>(&I);
          MT && AA.hasShadow(MT->getDest()) && AA.hasShadow(MT->getSource())) {
        Type *Elem = deduceElementType(MT->getDest());
        if (Elem && Elem->isPointerTy()) {
          AB.SetInsertPoint(cast<Instruction>(VMap[MT]));
          AB.CreateMemTransferInst(
              MT->getIntrinsicID(), augShadow(MT->getDest()),
              MT->getDestAlign(), augShadow(MT->getSource()),
              MT->getSourceAlign(), augValue(MT->getLength()));
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
        AB.CreateAlignedStore(augShadow(SI->getValueOperand()),
                              augShadow(SI->getPointerOperand()),
                              SI->getAlign());
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
        (!Cached.count(VMap[&Counter]) && !reverseCounter(Counter)))
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
    if (Value *Derived = cameFromByCounter(BB, Preds)) {
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
      Value *Step = counterStep(*Counter, Loops);
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
  for (const StackSite &Stack : Stacks)
    S.stacks().release(B, Layout.fieldAddress(B, Rev.getArg(0), Stack.Field));
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
                "cannot differentiate '" + userName(Primal) +
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
      if (IsBarrier || AA.needsDerivative(I))
        Ok &= visit(I);
    }
  }
  if (!Ok)
    return false;
  buildBlockExits();
  buildExit();

  // Stacks start empty in each activation of the augmented function, with
  // room for every push when the trip counts of their loops are known.
  AB.SetInsertPoint(Aug.getEntryBlock().getFirstNonPHIOrDbgOrAlloca());
  DenseMap<BasicBlock *, Value *> MaxRuns;
  for (const StackSite &Stack : Stacks) {
    Value *Header = Layout.fieldAddress(AB, Aug.getArg(0), Stack.Field);
    S.stacks().init(AB, Header);
    auto [Runs, New] = MaxRuns.try_emplace(Stack.Block);
    if (New)
      Runs->second = maxRunsAtEntry(*Stack.Block);
    if (Runs->second)
      S.stacks().reserve(AB, Header, Runs->second, Stack.ElemSize);
  }
  Fns.TapeBytes = Layout.finalize();
  for (auto &[V, Slot] : Cached)
    if (auto *I = dyn_cast<Instruction>(V))
      reportRemark(*I, "Cached",
                   Twine(Slot.IsStack ? "cached once per loop iteration: "
                                      : "cached for the reverse sweep: ") +
                       describeValue(*V));
  for (auto &[V, Slot] : CachedLast)
    if (auto *I = dyn_cast<Instruction>(V))
      reportRemark(*I, "Cached",
                   "cached once, the last value of its loop: " +
                       describeValue(*V));
  LLVM_DEBUG(dbgs() << "fluxion: augmented\n" << Aug << "reverse\n" << Rev);
  return true;
}

} // namespace

bool synthesizeReverse(Synthesizer &S, const DiffRequest &Request,
                       Function &Primal, ReverseFunctions &Fns) {
  return ReverseBuilder(S, Request, Primal, Fns).run();
}

} // namespace fluxion
