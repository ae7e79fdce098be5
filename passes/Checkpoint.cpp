//===- Checkpoint.cpp - Recomputing marked calls in the reverse sweep -----===//

#include "Checkpoint.h"

#include "CustomRules.h"
#include "InstructionSupport.h"
#include "Preprocess.h"

#include "llvm/Analysis/AliasAnalysis.h"
#include "llvm/Analysis/LoopInfo.h"
#include "llvm/Analysis/ScalarEvolution.h"
#include "llvm/Analysis/ScalarEvolutionExpressions.h"
#include "llvm/Analysis/ValueTracking.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/PatternMatch.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Transforms/Utils/Cloning.h"
#include "llvm/Transforms/Utils/ModuleUtils.h"

using namespace llvm;
using namespace llvm::PatternMatch;

namespace fluxion {
namespace {

/// Callees larger than this stay calls in a checkpointed function's copy.
constexpr unsigned MaxInlinedCalleeSize = 2000;

/// Windows larger than this are not worth a scratch copy on the stack.
constexpr int64_t MaxWindowBytes = int64_t(1) << 20;

/// One load or store through a pointer parameter.
struct Access {
  Instruction *I;
  unsigned ArgNo;
  const SCEV *Offset;
  int64_t Lo, Hi;
  int64_t Size;
};

/// The values an integer expression takes, both ends included.
struct Interval {
  int64_t Min, Max;
};

/// Offsets beyond this are not bounded (and keep the arithmetic exact).
constexpr int64_t MaxOffset = int64_t(1) << 32;

std::optional<Interval> boundedInterval(int64_t Min, int64_t Max) {
  if (Min > Max || Min < -MaxOffset || Max > MaxOffset)
    return std::nullopt;
  return Interval{Min, Max};
}

class Planner {
public:
  Planner(Function &Callee, FunctionAnalysisManager &FAM)
      : Callee(Callee), SE(FAM.getResult<ScalarEvolutionAnalysis>(Callee)),
        DT(FAM.getResult<DominatorTreeAnalysis>(Callee)),
        LI(FAM.getResult<LoopAnalysis>(Callee)) {}

  std::optional<CheckpointPlan> run(std::string &WhyNot);

private:
  /// The values \p S takes in block \p At: loop recurrences are evaluated
  /// over their loop's constant trip count, narrowed by the branch
  /// conditions on the way to \p At (`if (i > 0) y[i - 1]`), then
  /// intersected with scalar evolution's own range.
  std::optional<Interval> rangeAt(const SCEV *S, BasicBlock &At);
  std::optional<Interval> evaluate(const SCEV *S, BasicBlock &At);
  /// The iterations of \p L that may reach \p At.
  std::optional<Interval> iterationsReaching(const Loop &L, BasicBlock &At);
  /// Records the access of \p I to \p Ptr; false with \p WhyNot set when it
  /// reaches memory the plan cannot bound.
  bool addAccess(Instruction &I, Value *Ptr, Type *Ty, std::string &WhyNot);
  bool isCovered(const Access &Load) const;
  bool coversAfterLoop(const Access &Store, const Access &Load) const;

  Function &Callee;
  ScalarEvolution &SE;
  DominatorTree &DT;
  LoopInfo &LI;
  SmallVector<Access, 16> Loads, Stores;
};

bool Planner::addAccess(Instruction &I, Value *Ptr, Type *Ty,
                        std::string &WhyNot) {
  const SCEV *Address = SE.getSCEV(Ptr);
  auto *Base = dyn_cast<SCEVUnknown>(SE.getPointerBase(Address));
  Value *Object = Base ? Base->getValue() : nullptr;
  if (auto *Local = dyn_cast_or_null<AllocaInst>(Object);
      Local && Local->getFunction() == &Callee)
    return true;
  if (auto *GV = dyn_cast_or_null<GlobalVariable>(Object);
      GV && GV->isConstant() && isa<LoadInst>(I))
    return true;
  auto *Param = dyn_cast_or_null<Argument>(Object);
  if (!Param) {
    WhyNot = "it reaches memory other than through its pointer parameters";
    return false;
  }
  const SCEV *Offset = SE.removePointerBase(Address);
  std::optional<Interval> Range = rangeAt(Offset, *I.getParent());
  if (!Range) {
    WhyNot = "the offsets it accesses from parameter '" +
             Param->getName().str() + "' have no bound";
    return false;
  }
  int64_t Size = int64_t(Callee.getDataLayout().getTypeStoreSize(Ty));
  int64_t Lo = Range->Min;
  int64_t Hi = Range->Max + Size;
  if (Hi - Lo > MaxWindowBytes) {
    WhyNot = "it accesses more than 1 MiB through parameter '" +
             Param->getName().str() + "'";
    return false;
  }
  Access A{&I, Param->getArgNo(), Offset, Lo, Hi, Size};
  (isa<LoadInst>(I) ? Loads : Stores).push_back(A);
  return true;
}

std::optional<Interval> Planner::rangeAt(const SCEV *S, BasicBlock &At) {
  ConstantRange Known = SE.getSignedRange(S);
  std::optional<Interval> Evaluated = evaluate(S, At);
  if (Known.isFullSet() || Known.getSignedMin().getSignificantBits() > 34 ||
      Known.getSignedMax().getSignificantBits() > 34)
    return Evaluated;
  int64_t Min = Known.getSignedMin().getSExtValue();
  int64_t Max = Known.getSignedMax().getSExtValue();
  if (!Evaluated)
    return boundedInterval(Min, Max);
  return boundedInterval(std::max(Min, Evaluated->Min),
                         std::min(Max, Evaluated->Max));
}

std::optional<Interval> Planner::evaluate(const SCEV *S, BasicBlock &At) {
  if (auto *C = dyn_cast<SCEVConstant>(S)) {
    if (C->getAPInt().getSignificantBits() > 34)
      return std::nullopt;
    int64_t V = C->getAPInt().getSExtValue();
    return Interval{V, V};
  }
  if (auto *Cast = dyn_cast<SCEVSignExtendExpr>(S))
    return evaluate(Cast->getOperand(), At);
  if (auto *Cast = dyn_cast<SCEVZeroExtendExpr>(S)) {
    std::optional<Interval> R = evaluate(Cast->getOperand(), At);
    if (R && R->Min < 0)
      return std::nullopt;
    return R;
  }
  if (auto *Sum = dyn_cast<SCEVAddExpr>(S)) {
    Interval Total{0, 0};
    for (const SCEV *Op : Sum->operands()) {
      std::optional<Interval> R = evaluate(Op, At);
      if (!R)
        return std::nullopt;
      Total = {Total.Min + R->Min, Total.Max + R->Max};
      if (!boundedInterval(Total.Min, Total.Max))
        return std::nullopt;
    }
    return Total;
  }
  if (auto *Product = dyn_cast<SCEVMulExpr>(S)) {
    auto *Factor = dyn_cast<SCEVConstant>(Product->getOperand(0));
    if (!Factor || Product->getNumOperands() != 2 ||
        Factor->getAPInt().getSignificantBits() > 20)
      return std::nullopt;
    std::optional<Interval> R = evaluate(Product->getOperand(1), At);
    if (!R)
      return std::nullopt;
    int64_t K = Factor->getAPInt().getSExtValue();
    return boundedInterval(std::min(K * R->Min, K * R->Max),
                           std::max(K * R->Min, K * R->Max));
  }
  auto *Rec = dyn_cast<SCEVAddRecExpr>(S);
  if (!Rec || !Rec->isAffine())
    return std::nullopt;
  auto *Stride = dyn_cast<SCEVConstant>(Rec->getStepRecurrence(SE));
  std::optional<Interval> Start = evaluate(Rec->getStart(), At);
  std::optional<Interval> Iterations = iterationsReaching(*Rec->getLoop(), At);
  if (!Stride || !Start || !Iterations ||
      Stride->getAPInt().getSignificantBits() > 20)
    return std::nullopt;
  int64_t K = Stride->getAPInt().getSExtValue();
  int64_t First = K * Iterations->Min, Last = K * Iterations->Max;
  return boundedInterval(Start->Min + std::min(First, Last),
                         Start->Max + std::max(First, Last));
}

std::optional<Interval> Planner::iterationsReaching(const Loop &L,
                                                    BasicBlock &At) {
  unsigned Trips = SE.getSmallConstantTripCount(&L);
  if (!Trips)
    return std::nullopt;
  Interval Iterations{0, int64_t(Trips) - 1};
  if (!L.contains(&At))
    return Iterations;
  SmallVector<int64_t, 2> ExcludedIterations;
  // Conditions on the induction variable of L that hold on every path from
  // the header to At narrow the iterations.
  for (DomTreeNode *Node = DT.getNode(&At)->getIDom();
       Node && L.contains(Node->getBlock()); Node = Node->getIDom()) {
    auto *Branch = dyn_cast<BranchInst>(Node->getBlock()->getTerminator());
    CmpPredicate Pred;
    Value *X;
    ConstantInt *C;
    if (!Branch || !Branch->isConditional() ||
        !match(Branch->getCondition(),
               m_ICmp(Pred, m_Value(X), m_ConstantInt(C))))
      continue;
    BasicBlock *Taken = nullptr;
    for (unsigned Idx : {0u, 1u})
      if (DT.dominates(
              BasicBlockEdge(Node->getBlock(), Branch->getSuccessor(Idx)), &At))
        Taken = Branch->getSuccessor(Idx);
    auto *Rec = dyn_cast<SCEVAddRecExpr>(SE.getSCEV(X));
    if (!Taken || !Rec || Rec->getLoop() != &L || !Rec->isAffine())
      continue;
    auto *Start = dyn_cast<SCEVConstant>(Rec->getStart());
    auto *Stride = dyn_cast<SCEVConstant>(Rec->getStepRecurrence(SE));
    if (!Start || !Stride || Stride->getAPInt().isZero() ||
        Start->getAPInt().getSignificantBits() > 32 ||
        Stride->getAPInt().getSignificantBits() > 32)
      continue;
    if (Taken != Branch->getSuccessor(0))
      Pred = ICmpInst::getInversePredicate(Pred);
    int64_t B = Start->getAPInt().getSExtValue();
    int64_t K = Stride->getAPInt().getSExtValue();
    // X = B + K * j != V: drops iteration j once it is at either end.
    if (Pred == ICmpInst::ICMP_NE) {
      int64_t Excluded = C->getSExtValue() - B;
      if (Excluded % K == 0)
        ExcludedIterations.push_back(Excluded / K);
      continue;
    }
    ConstantRange Allowed =
        ConstantRange::makeExactICmpRegion(Pred, C->getValue());
    if (Allowed.isFullSet() || Allowed.isSignWrappedSet())
      continue;
    // X = B + K * j lies in [Lo, Hi]: solve for the iteration j.
    int64_t Lo = Allowed.getSignedMin().getSExtValue() - B;
    int64_t Hi = Allowed.getSignedMax().getSExtValue() - B;
    if (K < 0) {
      std::swap(Lo, Hi);
      Lo = -Lo;
      Hi = -Hi;
      K = -K;
    }
    Iterations.Min = std::max(Iterations.Min, divideCeilSigned(Lo, K));
    Iterations.Max = std::min(Iterations.Max, divideFloorSigned(Hi, K));
  }
  llvm::sort(ExcludedIterations);
  for (int64_t J : ExcludedIterations)
    if (J == Iterations.Min)
      ++Iterations.Min;
  for (int64_t J : reverse(ExcludedIterations))
    if (J == Iterations.Max)
      --Iterations.Max;
  if (Iterations.Min > Iterations.Max)
    return std::nullopt;
  return Iterations;
}

/// Whether \p Store, in a loop that does not contain \p Load, has written
/// every byte \p Load reads once the loop is done: the loop runs a constant
/// number of times and exits only at its header or only at its latch, the
/// store runs on every completed iteration at consecutive addresses from a
/// constant start, and the load cannot be reached without entering the
/// loop, which then runs to completion.
bool Planner::coversAfterLoop(const Access &Store, const Access &Load) const {
  BasicBlock *StoreBlock = Store.I->getParent();
  Loop *L = LI.getLoopFor(StoreBlock);
  if (!L || L->contains(Load.I) ||
      !DT.dominates(L->getHeader(), Load.I->getParent()))
    return false;
  BasicBlock *Latch = L->getLoopLatch();
  BasicBlock *Exiting = L->getExitingBlock();
  unsigned HeaderRuns = SE.getSmallConstantTripCount(L);
  if (!Latch || !HeaderRuns || !DT.dominates(StoreBlock, Latch) ||
      (Exiting != Latch && Exiting != L->getHeader()))
    return false;
  // A loop that exits at its header completes one iteration fewer than
  // the header runs.
  int64_t StoreRuns = Exiting == Latch ? HeaderRuns : HeaderRuns - 1;
  auto *Rec = dyn_cast<SCEVAddRecExpr>(Store.Offset);
  if (!Rec || Rec->getLoop() != L || !Rec->isAffine())
    return false;
  auto *Start = dyn_cast<SCEVConstant>(Rec->getStart());
  auto *Stride = dyn_cast<SCEVConstant>(Rec->getStepRecurrence(SE));
  if (!Start || !Stride || Stride->getAPInt().getSExtValue() != Store.Size)
    return false;
  int64_t First = Start->getAPInt().getSExtValue();
  return Load.Lo >= First && Load.Hi <= First + StoreRuns * Store.Size;
}

/// Whether the bytes \p Load reads were always written earlier in the same
/// call, so the snapshot need not hold them.
bool Planner::isCovered(const Access &Load) const {
  Value *LoadPtr = getLoadStorePointerOperand(Load.I);
  for (const Access &Store : Stores) {
    if (Store.ArgNo != Load.ArgNo)
      continue;
    Value *StorePtr = getLoadStorePointerOperand(Store.I);
    if (Store.Size >= Load.Size &&
        SE.getSCEV(StorePtr) == SE.getSCEV(LoadPtr) &&
        DT.dominates(Store.I, Load.I))
      return true;
    if (coversAfterLoop(Store, Load))
      return true;
  }
  return false;
}

/// Calls a checkpointed function may make: math with a derivative rule and
/// intrinsics that touch no memory the caller sees.
bool isAllowedCall(const CallBase &Call) {
  if (isa<LifetimeIntrinsic>(Call) || isa<AssumeInst>(Call) ||
      isa<NoAliasScopeDeclInst>(Call))
    return true;
  return classifyCall(Call) == CallKind::Elementwise &&
         none_of(Call.args(),
                 [](const Use &U) { return U->getType()->isPointerTy(); });
}

std::optional<CheckpointPlan> Planner::run(std::string &WhyNot) {
  if (Callee.getReturnType()->isPointerTy()) {
    WhyNot = "it returns a pointer";
    return std::nullopt;
  }
  for (Instruction &I : instructions(Callee)) {
    if (auto *Call = dyn_cast<CallBase>(&I)) {
      if (isAllowedCall(*Call))
        continue;
      const Function *Target = Call->getCalledFunction();
      WhyNot = Target ? "it calls '" + Target->getName().str() + "'"
                      : std::string("it makes an indirect call");
      return std::nullopt;
    }
    if (I.isAtomic() || I.isVolatile() || isa<VAArgInst>(I)) {
      WhyNot = "it accesses memory atomically or volatilely";
      return std::nullopt;
    }
    if (auto *Load = dyn_cast<LoadInst>(&I)) {
      if (!addAccess(I, Load->getPointerOperand(), Load->getType(), WhyNot))
        return std::nullopt;
    } else if (auto *Store = dyn_cast<StoreInst>(&I)) {
      Type *Ty = Store->getValueOperand()->getType();
      if (Ty->isPtrOrPtrVectorTy()) {
        WhyNot = "it stores a pointer";
        return std::nullopt;
      }
      if (!addAccess(I, Store->getPointerOperand(), Ty, WhyNot))
        return std::nullopt;
    } else if (I.mayReadOrWriteMemory()) {
      WhyNot =
          "it accesses memory with '" + std::string(I.getOpcodeName()) + "'";
      return std::nullopt;
    }
  }

  CheckpointPlan Plan;
  auto WindowOf = [&](unsigned ArgNo) -> ParameterWindow & {
    for (ParameterWindow &W : Plan.Windows)
      if (W.ArgNo == ArgNo)
        return W;
    ParameterWindow &W = Plan.Windows.emplace_back();
    W.ArgNo = ArgNo;
    W.Lo = INT64_MAX;
    W.Hi = INT64_MIN;
    W.ReadLo = INT64_MAX;
    W.ReadHi = INT64_MIN;
    return W;
  };
  for (const Access &Store : Stores) {
    ParameterWindow &W = WindowOf(Store.ArgNo);
    W.Lo = std::min(W.Lo, Store.Lo);
    W.Hi = std::max(W.Hi, Store.Hi);
    W.Written = true;
  }
  for (const Access &Load : Loads) {
    ParameterWindow &W = WindowOf(Load.ArgNo);
    W.Lo = std::min(W.Lo, Load.Lo);
    W.Hi = std::max(W.Hi, Load.Hi);
    if (isCovered(Load))
      continue;
    W.ReadLo = std::min(W.ReadLo, Load.Lo);
    W.ReadHi = std::max(W.ReadHi, Load.Hi);
  }
  for (ParameterWindow &W : Plan.Windows) {
    if (W.ReadLo > W.ReadHi)
      W.ReadLo = W.ReadHi = W.Lo;
    Plan.SnapshotOffsets.push_back(Plan.SnapshotBytes);
    Plan.SnapshotBytes += alignTo(W.snapshotBytes(), 8);
    Plan.ScratchOffsets.push_back(Plan.ScratchBytes);
    Plan.ScratchBytes += alignTo(uint64_t(W.Hi - W.Lo), 16);
  }
  return Plan;
}

} // namespace

static constexpr StringLiteral BodyAttr = "fluxion-checkpoint-body";

bool keepCheckpointBodies(Module &M) {
  bool Changed = false;
  for (Function &F : make_early_inc_range(M)) {
    if (F.isDeclaration() || !isCheckpointed(F) || F.hasFnAttribute(BodyAttr))
      continue;
    ValueToValueMapTy VMap;
    Function *Body = CloneFunction(&F, VMap);
    Body->setName("fluxion.checkpoint." + F.getName());
    Body->setLinkage(GlobalValue::InternalLinkage);
    Body->removeFnAttr(Attribute::AlwaysInline);
    clearCheckpointMark(*Body);
    // The snapshot can only be planned over code the copy contains.
    inlineSmallCallees(*Body, F, MaxInlinedCalleeSize);
    Body->addFnAttr(Attribute::NoInline);
    Body->addFnAttr(Attribute::OptimizeNone);
    F.addFnAttr(BodyAttr, Body->getName());
    // Nothing calls the copy until Fluxion runs; keep it from being deleted.
    appendToCompilerUsed(M, {Body});
    Changed = true;
  }
  return Changed;
}

Function &checkpointBody(Function &F) {
  if (!F.hasFnAttribute(BodyAttr))
    return F;
  Function *Body =
      F.getParent()->getFunction(F.getFnAttribute(BodyAttr).getValueAsString());
  return Body ? *Body : F;
}

void releaseCheckpointBodies(Module &M) {
  SmallVector<Function *, 4> Bodies;
  for (Function &F : M) {
    if (!isCheckpointed(F))
      continue;
    restoreCheckpointInlining(F);
    Function &Body = checkpointBody(F);
    F.removeFnAttr(BodyAttr);
    if (&Body != &F)
      Bodies.push_back(&Body);
  }
  if (Bodies.empty())
    return;
  SmallPtrSet<Constant *, 4> Kept(llvm::from_range, Bodies);
  removeFromUsedLists(M, [&](Constant *C) { return Kept.contains(C); });
  for (Function *Body : Bodies)
    if (Body->use_empty())
      Body->eraseFromParent();
}

std::optional<CheckpointPlan> planCheckpoint(Function &Callee,
                                             FunctionAnalysisManager &FAM,
                                             std::string &WhyNot) {
  return Planner(Callee, FAM).run(WhyNot);
}

bool windowsAreDisjoint(const CallBase &Call, const CheckpointPlan &Plan,
                        std::string &WhyNot) {
  for (auto [I, First] : enumerate(Plan.Windows)) {
    for (const ParameterWindow &Second : drop_begin(Plan.Windows, I + 1)) {
      if (!First.Written && !Second.Written)
        continue;
      const Value *A = getUnderlyingObject(Call.getArgOperand(First.ArgNo));
      const Value *B = getUnderlyingObject(Call.getArgOperand(Second.ArgNo));
      if (A != B && (isIdentifiedObject(A) || isIdentifiedObject(B)))
        continue;
      WhyNot = "its pointer arguments " + std::to_string(First.ArgNo + 1) +
               " and " + std::to_string(Second.ArgNo + 1) +
               " may point into the same memory";
      return false;
    }
  }
  return true;
}

} // namespace fluxion
