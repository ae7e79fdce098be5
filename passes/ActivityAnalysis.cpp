//===- ActivityAnalysis.cpp - Which values carry derivatives --------------===//

#include "ActivityAnalysis.h"
#include "TypeAnalysis.h"

#include "InstructionSupport.h"
#include "MPI.h"
#include "ShadowMemory.h"

#include "llvm/Analysis/ValueTracking.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"

#include <map>
#include <set>

using namespace llvm;

namespace fluxion {

bool isDifferentiableType(const Type *Ty) {
  if (Ty->isFPOrFPVectorTy())
    return true;
  if (const auto *ST = dyn_cast<StructType>(Ty))
    return any_of(ST->elements(), isDifferentiableType);
  if (const auto *AT = dyn_cast<ArrayType>(Ty))
    return isDifferentiableType(AT->getElementType());
  return false;
}

namespace {

/// Pointer-producing instructions whose result addresses the same object as
/// their pointer operands.
bool derivesPointer(const Instruction &I) {
  return isa<GetElementPtrInst, PHINode, SelectInst, FreezeInst>(I) ||
         (isa<CastInst>(I) && I.getType()->isPointerTy());
}

/// Calls that neither compute with floating values nor touch memory a
/// derivative depends on.
bool isInertIntrinsic(const Instruction &I) {
  const auto *II = dyn_cast<IntrinsicInst>(&I);
  if (!II)
    return false;
  return II->isAssumeLikeIntrinsic() || isa<DbgInfoIntrinsic>(II);
}

} // namespace

/// What a call does with the memory reachable from one of its pointer
/// parameters (through the pointer, or through pointers loaded from that
/// memory at any depth).
struct ParameterUse {
  /// It may write that memory.
  bool Writes = false;
  /// It returns a pointer into that memory.
  bool Returns = false;
  /// The other parameters into whose memory it stores such a pointer (an
  /// Eigen mapper's constructor keeps the data pointer in `this`).
  SmallVector<unsigned, 2> KeptIn;
};

/// Summaries of how defined functions use their pointer parameters, for
/// ActivityAnalysis: memory a callee only reads needs no shadow for it.
/// Queries under way count as doing nothing, so that recursion converges.
class WriteSummary {
public:
  explicit WriteSummary(BodyProvider Simplified) : Simplified(Simplified) {}
  bool mayWrite(const Function &F, unsigned ArgNo) {
    return use(F, ArgNo).Writes;
  }

private:
  BodyProvider Simplified;
  ParameterUse use(const Function &F, unsigned ArgNo);
  ParameterUse analyze(const Argument &Root);
  std::map<std::pair<const Function *, unsigned>, ParameterUse> Known;
  std::set<std::pair<const Function *, unsigned>> InProgress;
};

ParameterUse WriteSummary::use(const Function &F, unsigned ArgNo) {
  if (F.isDeclaration() || F.isVarArg() || ArgNo >= F.arg_size()) {
    ParameterUse Unknown;
    Unknown.Writes = !F.onlyReadsMemory() &&
                     !(ArgNo < F.arg_size() &&
                       (F.hasParamAttribute(ArgNo, Attribute::ReadOnly) ||
                        F.hasParamAttribute(ArgNo, Attribute::ReadNone)));
    Unknown.Returns = F.getReturnType()->isPointerTy();
    return Unknown;
  }
  auto Key = std::make_pair(&F, ArgNo);
  if (auto Found = Known.find(Key); Found != Known.end())
    return Found->second;
  if (!InProgress.insert(Key).second)
    return ParameterUse();
  // At -O0 arguments pass through stack slots; the simplified copy shows
  // where they go.
  const Function &Body =
      F.hasOptNone() && Simplified ? Simplified(const_cast<Function &>(F)) : F;
  ParameterUse Result = analyze(*Body.getArg(ArgNo));
  InProgress.erase(Key);
  // A result that leaned on a query under way is not final.
  if (InProgress.empty() || Result.Writes)
    Known[Key] = Result;
  return Result;
}

ParameterUse WriteSummary::analyze(const Argument &Root) {
  ParameterUse Result;
  auto Written = [&] {
    Result.Writes = true;
    return Result;
  };
  // Pointers into memory reachable from the root, and pointers into the
  // function's own locals that hold such pointers (writing those is
  // harmless; reading them reaches the root's memory again).
  SmallVector<std::pair<const Value *, bool>, 16> Worklist{{&Root, false}};
  SmallPtrSet<const Value *, 16> Reached{&Root};
  auto Reach = [&](const Value *V, bool Local) {
    if (Reached.insert(V).second)
      Worklist.push_back({V, Local});
  };
  // Where a pointer into the root's memory is kept: a local holds it on,
  // another parameter's memory is the caller's to follow; anywhere else
  // anyone may write through it.
  auto Keep = [&](const Value *Address) {
    const Value *Object = getUnderlyingObject(Address);
    if (isa<AllocaInst>(Object)) {
      Reach(Object, /*Local=*/true);
      return true;
    }
    const auto *Param = dyn_cast<Argument>(Object);
    if (!Param || Param == &Root || Reached.count(Address))
      return false;
    if (!is_contained(Result.KeptIn, Param->getArgNo()))
      Result.KeptIn.push_back(Param->getArgNo());
    return true;
  };
  while (!Worklist.empty()) {
    auto [P, Local] = Worklist.pop_back_val();
    for (const Use &U : P->uses()) {
      const auto *I = dyn_cast<Instruction>(U.getUser());
      if (!I)
        return Written();
      if (isa<GetElementPtrInst, PHINode, SelectInst, FreezeInst, CastInst>(
              I)) {
        if (I->getType()->isPointerTy())
          Reach(I, Local);
        continue;
      }
      if (const auto *LI = dyn_cast<LoadInst>(I)) {
        if (LI->getType()->isPointerTy())
          Reach(LI, /*Local=*/false);
        continue;
      }
      if (const auto *SI = dyn_cast<StoreInst>(I)) {
        if (U.getOperandNo() == SI->getPointerOperandIndex()) {
          if (Local)
            continue;
          return Written();
        }
        if (!Keep(SI->getPointerOperand()))
          return Written();
        continue;
      }
      if (isa<ReturnInst>(I)) {
        Result.Returns |= !Local;
        continue;
      }
      if (isa<ICmpInst>(I) || isInertIntrinsic(*I))
        continue;
      if (const auto *MI = dyn_cast<MemIntrinsic>(I)) {
        if (Local && MI->getDest() == P)
          continue;
        const auto *Copy = dyn_cast<MemTransferInst>(MI);
        if (!Copy || U.getOperandNo() != 1 || !Keep(Copy->getDest()))
          return Written();
        continue;
      }
      const auto *Call = dyn_cast<CallBase>(I);
      const Function *Callee = Call ? Call->getCalledFunction() : nullptr;
      if (!Callee || !Call->isArgOperand(&U))
        return Written();
      ParameterUse Inner = use(*Callee, Call->getArgOperandNo(&U));
      if (Inner.Writes)
        return Written();
      if (Inner.Returns)
        Reach(Call, /*Local=*/false);
      for (unsigned Kept : Inner.KeptIn)
        if (Kept >= Call->arg_size() || !Keep(Call->getArgOperand(Kept)))
          return Written();
    }
  }
  return Result;
}

ActivityAnalysis::~ActivityAnalysis() = default;

ActivityAnalysis::ActivityAnalysis(Function &F, const DiffRequest &Request,
                                   BodyProvider Simplified)
    : Writes(std::make_unique<WriteSummary>(Simplified)) {
  for (auto [Arg, Activity] : zip(F.args(), Request.Args)) {
    if (Activity == ArgActivity::Const)
      continue;
    if (Arg.getType()->isPointerTy())
      Shadowed.insert(&Arg);
    else if (isDifferentiableType(Arg.getType()))
      Varied.insert(&Arg);
  }
  // A returned pointer the caller writes active data through needs a shadow
  // even where it is memory this function allocates.
  if (Request.ReturnShadow)
    for (BasicBlock &BB : F)
      if (auto *Ret = dyn_cast<ReturnInst>(BB.getTerminator()))
        shadowAllocationBehind(Ret->getReturnValue());
  propagateVaried(F);
  propagateUseful(F, Request);
  for (const Value *V : Varied)
    if (Useful.count(V))
      Active.insert(V);
}

bool ActivityAnalysis::hasShadow(const Value *V) const {
  if (Shadowed.count(V))
    return true;
  // Addresses of a shadowed __shared__ array are constant expressions.
  return isa<ConstantExpr>(V) && V->getType()->isPointerTy() &&
         Shadowed.count(getUnderlyingObject(V));
}

bool ActivityAnalysis::shadowAllocationBehind(const Value *Ptr,
                                              unsigned Depth) {
  constexpr unsigned MaxDepth = 4;
  SmallVector<const Value *, 4> Objects;
  getUnderlyingObjects(Ptr, Objects);
  bool Changed = false;
  for (const Value *Base : Objects) {
    const auto *Call = dyn_cast<CallBase>(Base);
    bool IsAllocation = isa<AllocaInst>(Base) || isSharedArray(*Base) ||
                        (Call && allocationKind(*Call) != AllocationKind::None);
    if (IsAllocation) {
      Changed |= Shadowed.insert(Base).second;
      continue;
    }
    // A pointer read from memory (a buffer a helper allocated and kept in
    // a local object) has a shadow once that memory has one: the helper,
    // called with the object duplicated, then allocates the buffer's
    // shadow and keeps it in the object's shadow.
    if (const auto *Load = dyn_cast<LoadInst>(Base); Load && Depth < MaxDepth)
      Changed |= shadowAllocationBehind(Load->getPointerOperand(), Depth + 1);
  }
  return Changed;
}

bool ActivityAnalysis::shadowAllocationsWritten(const Instruction &I) {
  // A pointer that may address memory with a shadow or a local allocation
  // needs the allocation's shadow too, to stand for it on that side.
  if (isa<PHINode, SelectInst>(I) && I.getType()->isPointerTy() &&
      hasShadow(&I)) {
    bool Changed = false;
    for (const Use &U : I.operands())
      if (U->getType()->isPointerTy() && !hasShadow(U.get()))
        Changed |= shadowAllocationBehind(U.get());
    return Changed;
  }
  // Local and heap memory that receives active data needs a shadow too.
  if (const auto *SI = dyn_cast<StoreInst>(&I)) {
    const Value *Stored = SI->getValueOperand();
    bool Changed = false;
    // A pointer kept in shadowed memory may be loaded back and written
    // through with active data: what it points to needs a shadow.
    if (Stored->getType()->isPointerTy() && hasShadow(SI->getPointerOperand()))
      Changed |= shadowAllocationBehind(Stored);
    if (Varied.count(Stored) || hasShadow(Stored))
      Changed |= shadowAllocationBehind(SI->getPointerOperand());
    return Changed;
  }
  if (const auto *RMW = dyn_cast<AtomicRMWInst>(&I))
    return Varied.count(RMW->getValOperand()) &&
           shadowAllocationBehind(RMW->getPointerOperand());
  if (const auto *MT = dyn_cast<MemTransferInst>(&I))
    return hasShadow(MT->getSource()) && shadowAllocationBehind(MT->getDest());
  const auto *Call = dyn_cast<CallBase>(&I);
  if (!Call || isInertIntrinsic(I))
    return false;
  bool Active = any_of(Call->args(), [&](const Use &U) {
    return Varied.count(U.get()) || hasShadow(U.get());
  });
  // A call through a function pointer dispatched through a derivative
  // record (DerivativeRecords.h) may write through any pointer it gets.
  if (classifyCall(*Call) == CallKind::Dynamic &&
      hasShadow(Call->getCalledOperand())) {
    bool Changed = false;
    for (const Use &U : Call->args())
      if (U->getType()->isPointerTy())
        Changed |= shadowAllocationBehind(U.get());
    return Changed;
  }
  // MPI moves data between ranks: what a call writes may be active on the
  // rank that sent it whatever this rank's arguments, and what it reads may
  // become active there (MPI.h).
  if (const Function *Callee = Call->getCalledFunction();
      Callee && isMPIFunction(*Callee) &&
      classifyCall(*Call) == CallKind::Custom) {
    bool Changed = false;
    for (const Use &U : Call->args())
      if (U->getType()->isPointerTy() && !isa<Constant>(U.get()))
        Changed |= shadowAllocationBehind(U.get());
    return Changed;
  }
  if (!Active || !Call->getCalledFunction() ||
      Call->getCalledFunction()->isDeclaration())
    return false;
  // Memory the callee may write could receive active data from it; memory
  // it only reads holds active data only if something else put it there.
  bool Changed = false;
  for (const Use &U : Call->args())
    if (U->getType()->isPointerTy() &&
        Writes->mayWrite(*Call->getCalledFunction(), Call->getArgOperandNo(&U)))
      Changed |= shadowAllocationBehind(U.get());
  return Changed;
}

void ActivityAnalysis::propagateVaried(Function &F) {
  bool Changed = true;
  while (Changed) {
    Changed = false;
    for (Instruction &I : instructions(F)) {
      Changed |= shadowAllocationsWritten(I);
      if (Varied.count(&I) || hasShadow(&I) || isInertIntrinsic(I))
        continue;
      bool OperandVaried = any_of(I.operands(), [&](const Use &U) {
        return Varied.count(U.get()) || hasShadow(U.get());
      });
      if (I.getType()->isPointerTy()) {
        bool FromShadow =
            (derivesPointer(I) &&
             any_of(I.operands(),
                    [&](const Use &U) { return hasShadow(U.get()); })) ||
            (isa<LoadInst>(I) &&
             hasShadow(cast<LoadInst>(I).getPointerOperand())) ||
            (isa<CallBase>(I) && OperandVaried &&
             classifyCall(cast<CallBase>(I)) != CallKind::Inert);
        if (FromShadow) {
          Shadowed.insert(&I);
          Changed = true;
        }
        continue;
      }
      if (!isDifferentiableType(I.getType()))
        continue;
      if (OperandVaried) {
        Varied.insert(&I);
        Changed = true;
      }
    }
  }
}

bool ActivityAnalysis::mayTouchActiveMemory(const Instruction &I) const {
  if (const auto *SI = dyn_cast<StoreInst>(&I))
    // Storing even an inactive value into shadowed memory overwrites the
    // derivative held there (integer bits of a float too); a pointer
    // without a shadow overwrites the shadow pointer held there.
    return hasShadow(SI->getPointerOperand()) &&
           (isDifferentiableType(SI->getValueOperand()->getType()) ||
            SI->getValueOperand()->getType()->isPtrOrPtrVectorTy() ||
            mayStoreFloatBits(*SI));
  if (const auto *RMW = dyn_cast<AtomicRMWInst>(&I))
    return hasShadow(RMW->getPointerOperand()) &&
           isDifferentiableType(RMW->getValOperand()->getType());
  if (const auto *CmpXchg = dyn_cast<AtomicCmpXchgInst>(&I))
    return hasShadow(CmpXchg->getPointerOperand()) &&
           isDifferentiableType(CmpXchg->getNewValOperand()->getType());
  if (const auto *Call = dyn_cast<CallBase>(&I)) {
    if (isInertIntrinsic(I))
      return false;
    return any_of(Call->args(),
                  [&](const Use &U) { return hasShadow(U.get()); });
  }
  return false;
}

void ActivityAnalysis::propagateUseful(Function &F,
                                       const DiffRequest &Request) {
  SmallVector<const Value *, 32> Worklist;
  auto MarkUseful = [&](const Value *V) {
    if (Useful.insert(V).second)
      Worklist.push_back(V);
  };
  for (Instruction &I : instructions(F)) {
    if (auto *Ret = dyn_cast<ReturnInst>(&I)) {
      if (Request.ReturnActive && Ret->getReturnValue())
        MarkUseful(Ret->getReturnValue());
      continue;
    }
    if (!mayTouchActiveMemory(I))
      continue;
    for (const Use &U : I.operands())
      MarkUseful(U.get());
  }
  while (!Worklist.empty()) {
    const auto *I = dyn_cast<Instruction>(Worklist.pop_back_val());
    if (!I)
      continue;
    for (const Use &U : I->operands())
      MarkUseful(U.get());
  }
}

bool ActivityAnalysis::needsDerivative(const Instruction &I) const {
  return isActive(&I) || mayTouchActiveMemory(I) ||
         (I.getType()->isPointerTy() && hasShadow(&I));
}

} // namespace fluxion
