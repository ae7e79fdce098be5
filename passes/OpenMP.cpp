//===- OpenMP.cpp - Parallel regions of the OpenMP runtime ----------------===//

#include "OpenMP.h"
#include "EmbeddedBitcode.h"
#include "Tape.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Module.h"
#include "llvm/Linker/Linker.h"
#include "llvm/Transforms/Utils/Cloning.h"

using namespace llvm;

namespace fluxion {

namespace {

constexpr StringLiteral ForkBundle = "fluxion.omp.fork";

struct RuntimeFunction {
  OpenMPRole Role;
  /// For an unsupported function, the construct it implements.
  StringLiteral Construct = "";
};

} // namespace

static const StringMap<RuntimeFunction> &runtimeFunctions() {
  using R = OpenMPRole;
  static const StringMap<RuntimeFunction> Table = {
      {"__kmpc_global_thread_num", {R::Scheduling}},
      {"omp_get_thread_num", {R::Scheduling}},
      {"omp_get_num_threads", {R::Scheduling}},
      {"omp_get_max_threads", {R::Scheduling}},
      {"omp_in_parallel", {R::Scheduling}},
      {"__kmpc_push_num_threads", {R::Scheduling}},
      {"__kmpc_for_static_init_4", {R::Scheduling}},
      {"__kmpc_for_static_init_4u", {R::Scheduling}},
      {"__kmpc_for_static_init_8", {R::Scheduling}},
      {"__kmpc_for_static_init_8u", {R::Scheduling}},
      {"__kmpc_for_static_fini", {R::Scheduling}},
      {"__kmpc_dispatch_init_4", {R::Scheduling}},
      {"__kmpc_dispatch_init_4u", {R::Scheduling}},
      {"__kmpc_dispatch_init_8", {R::Scheduling}},
      {"__kmpc_dispatch_init_8u", {R::Scheduling}},
      {"__kmpc_dispatch_next_4", {R::Scheduling}},
      {"__kmpc_dispatch_next_4u", {R::Scheduling}},
      {"__kmpc_dispatch_next_8", {R::Scheduling}},
      {"__kmpc_dispatch_next_8u", {R::Scheduling}},
      {"__kmpc_dispatch_fini_4", {R::Scheduling}},
      {"__kmpc_dispatch_fini_4u", {R::Scheduling}},
      {"__kmpc_dispatch_fini_8", {R::Scheduling}},
      {"__kmpc_dispatch_fini_8u", {R::Scheduling}},
      {"__kmpc_dispatch_deinit", {R::Scheduling}},
      {"__kmpc_barrier", {R::Barrier}},
      {"__kmpc_critical", {R::CriticalBegin}},
      {"__kmpc_end_critical", {R::CriticalEnd}},
      {"__kmpc_omp_task_alloc", {R::Unsupported, "omp task"}},
      {"__kmpc_omp_task", {R::Unsupported, "omp task"}},
      {"__kmpc_omp_taskwait", {R::Unsupported, "omp taskwait"}},
      {"__kmpc_omp_taskyield", {R::Unsupported, "omp taskyield"}},
      {"__kmpc_taskgroup", {R::Unsupported, "omp taskgroup"}},
      {"__kmpc_taskloop", {R::Unsupported, "omp taskloop"}},
      {"__kmpc_single", {R::Unsupported, "omp single"}},
      {"__kmpc_masked", {R::Unsupported, "omp masked"}},
      {"__kmpc_master", {R::Unsupported, "omp master"}},
      {"__kmpc_ordered", {R::Unsupported, "omp ordered"}},
      {"__kmpc_fork_teams", {R::Unsupported, "omp teams"}},
      {"__kmpc_flush", {R::Unsupported, "omp flush"}},
      {"__kmpc_threadprivate_cached", {R::Unsupported, "omp threadprivate"}},
      {"__kmpc_copyprivate", {R::Unsupported, "omp single copyprivate"}},
      // The start of these constructs is the error.
      {"__kmpc_end_single", {R::Scheduling}},
      {"__kmpc_end_masked", {R::Scheduling}},
      {"__kmpc_end_master", {R::Scheduling}},
      {"__kmpc_end_ordered", {R::Scheduling}},
      {"__kmpc_end_taskgroup", {R::Scheduling}},
  };
  return Table;
}

OpenMPRole openMPRole(const Function &F) {
  auto Found = runtimeFunctions().find(F.getName());
  if (Found != runtimeFunctions().end())
    return Found->second.Role;
  StringRef Name = F.getName();
  if (F.isDeclaration() &&
      (Name.starts_with("__kmpc_") || Name.starts_with("omp_")))
    return OpenMPRole::Unsupported;
  return OpenMPRole::None;
}

StringRef openMPConstruct(const Function &F) {
  auto Found = runtimeFunctions().find(F.getName());
  if (Found == runtimeFunctions().end() || Found->second.Construct.empty())
    return "this OpenMP runtime function";
  return Found->second.Construct;
}

/// Replaces the reduction entry \p Call (`__kmpc_reduce[_nowait](loc, gtid,
/// n, size, list, combiner, lock)`, 1 for the thread that should combine
/// its private copies into the shared ones) by a critical section every
/// thread enters with its own copies; \p End is the name of the matching
/// end call, which ends the section.
static void reduceInCriticalSection(CallBase &Call, StringRef End,
                                    bool Barrier) {
  Module &M = *Call.getModule();
  IRBuilder<> B(&Call);
  Value *Loc = Call.getArgOperand(0), *Gtid = Call.getArgOperand(1),
        *Lock = Call.getArgOperand(6);
  Type *PtrTy = B.getPtrTy(), *I32 = B.getInt32Ty();
  FunctionCallee Enter = M.getOrInsertFunction("__kmpc_critical", B.getVoidTy(),
                                               PtrTy, I32, PtrTy);
  FunctionCallee Leave = M.getOrInsertFunction(
      "__kmpc_end_critical", B.getVoidTy(), PtrTy, I32, PtrTy);
  B.CreateCall(Enter, {Loc, Gtid, Lock})->setDebugLoc(Call.getDebugLoc());
  for (User *U : make_early_inc_range(Lock->users())) {
    auto *EndCall = dyn_cast<CallBase>(U);
    Function *Callee = EndCall ? EndCall->getCalledFunction() : nullptr;
    if (!Callee || Callee->getName() != End ||
        EndCall->getFunction() != Call.getFunction())
      continue;
    IRBuilder<> EB(EndCall);
    EB.CreateCall(Leave,
                  {EndCall->getArgOperand(0), EndCall->getArgOperand(1), Lock})
        ->setDebugLoc(EndCall->getDebugLoc());
    if (Barrier)
      EB.CreateCall(
          M.getOrInsertFunction("__kmpc_barrier", EB.getVoidTy(), PtrTy, I32),
          {EndCall->getArgOperand(0), EndCall->getArgOperand(1)});
    EndCall->eraseFromParent();
  }
  Call.replaceAllUsesWith(ConstantInt::get(Call.getType(), 1));
  Call.eraseFromParent();
}

void serializeParallelRegions(Function &F) {
  SmallVector<CallBase *, 4> Forks, Reductions;
  for (Instruction &I : instructions(F)) {
    auto *Call = dyn_cast<CallBase>(&I);
    Function *Callee = Call ? Call->getCalledFunction() : nullptr;
    if (!Callee)
      continue;
    StringRef Name = Callee->getName();
    if (Name == "__kmpc_fork_call")
      Forks.push_back(Call);
    else if (Name == "__kmpc_reduce_nowait" || Name == "__kmpc_reduce")
      Reductions.push_back(Call);
  }
  for (CallBase *Call : Reductions) {
    bool Blocking = Call->getCalledFunction()->getName() == "__kmpc_reduce";
    reduceInCriticalSection(
        *Call, Blocking ? "__kmpc_end_reduce" : "__kmpc_end_reduce_nowait",
        Blocking);
  }
  for (CallBase *Fork : Forks) {
    auto *Microtask =
        dyn_cast<Function>(Fork->getArgOperand(2)->stripPointerCasts());
    if (!Microtask || Microtask->isVarArg() ||
        Microtask->arg_size() != Fork->arg_size() - 1)
      continue;
    Value *Placeholder =
        PoisonValue::get(PointerType::getUnqual(F.getContext()));
    SmallVector<Value *, 8> Args{Placeholder, Placeholder};
    append_range(Args, drop_begin(Fork->args(), 3));
    OperandBundleDef Bundle(ForkBundle.str(), Fork->getArgOperand(0));
    CallInst *Serial =
        CallInst::Create(Microtask, Args, {Bundle}, "", Fork->getIterator());
    Serial->setDebugLoc(Fork->getDebugLoc());
    Fork->eraseFromParent();
  }
}

/// The floating type whose bits integer parameter \p Param of a microtask
/// carries (clang passes a firstprivate `double` as an i64 the microtask
/// casts back, a `float` in the low half of one), or null.
static Type *carriedFloatType(Argument &Param) {
  if (!Param.getType()->isIntegerTy())
    return nullptr;
  for (User *U : Param.users()) {
    // Unoptimized, the microtask stores the bits in a local and reads them
    // back as a float.
    if (auto *Store = dyn_cast<StoreInst>(U);
        Store && isa<AllocaInst>(Store->getPointerOperand()))
      for (User *Reader : Store->getPointerOperand()->users())
        if (isa<LoadInst>(Reader) && Reader->getType()->isFloatingPointTy())
          return Reader->getType();
    Value *Bits = U;
    if (isa<TruncInst>(U) && U->hasOneUse())
      Bits = U->user_back();
    if (auto *Cast = dyn_cast<BitCastInst>(Bits);
        Cast && Cast->getDestTy()->isFloatingPointTy())
      return Cast->getDestTy();
  }
  return nullptr;
}

/// A copy of \p Microtask that takes the parameters \p ByReference as
/// pointers to their floating values (of types \p FloatTypes) instead of
/// as bits.
static Function &byReferenceMicrotask(Function &Microtask,
                                      ArrayRef<unsigned> ByReference,
                                      ArrayRef<Type *> FloatTypes) {
  std::string Name = (Microtask.getName() + ".fluxion.byref").str();
  for (unsigned ArgNo : ByReference)
    Name += "." + std::to_string(ArgNo);
  Module &M = *Microtask.getParent();
  if (Function *Existing = M.getFunction(Name))
    return *Existing;
  SmallVector<Type *, 8> Params(Microtask.getFunctionType()->params());
  Type *PtrTy = PointerType::getUnqual(M.getContext());
  for (unsigned ArgNo : ByReference)
    Params[ArgNo] = PtrTy;
  ValueToValueMapTy VMap;
  Function *Body = CloneFunction(&Microtask, VMap);
  Function *F = Function::Create(
      FunctionType::get(Microtask.getReturnType(), Params, false),
      GlobalValue::InternalLinkage, Name, M);
  F->copyAttributesFrom(Body);
  F->setAttributes(AttributeList::get(
      M.getContext(), Body->getAttributes().getFnAttrs(), AttributeSet(), {}));
  F->splice(F->begin(), Body);
  IRBuilder<> B(&*F->getEntryBlock().getFirstInsertionPt());
  for (auto [Old, New] : zip(Body->args(), F->args())) {
    New.setName(Old.getName());
    auto Found = find(ByReference, Old.getArgNo());
    if (Found == ByReference.end()) {
      Old.replaceAllUsesWith(&New);
      continue;
    }
    Type *FloatTy = FloatTypes[Found - ByReference.begin()];
    Value *Bits =
        B.CreateBitCast(B.CreateLoad(FloatTy, &New),
                        B.getIntNTy(FloatTy->getPrimitiveSizeInBits()));
    Old.replaceAllUsesWith(B.CreateZExtOrTrunc(Bits, Old.getType()));
  }
  Body->eraseFromParent();
  return *F;
}

/// The floating value of type \p FloatTy whose bits \p Bits carries: the
/// value the caller cast (`bitcast`, widened by `zext` for a float) where it
/// did, so no derivative passes through integers.
static Value *floatOfBits(IRBuilderBase &B, Value *Bits, Type *FloatTy) {
  Value *Narrow = Bits;
  if (auto *Widened = dyn_cast<ZExtInst>(Narrow))
    Narrow = Widened->getOperand(0);
  if (auto *Cast = dyn_cast<BitCastInst>(Narrow);
      Cast && Cast->getSrcTy() == FloatTy)
    return Cast->getOperand(0);
  return B.CreateBitCast(
      B.CreateTrunc(Bits, B.getIntNTy(FloatTy->getPrimitiveSizeInBits())),
      FloatTy, Bits->getName() + ".float");
}

void captureFloatsByReference(Function &F) {
  for (Instruction &I : make_early_inc_range(instructions(F))) {
    auto *Call = dyn_cast<CallBase>(&I);
    if (!Call || !parallelRegionLocation(*Call))
      continue;
    Function &Microtask = *Call->getCalledFunction();
    SmallVector<unsigned, 2> ByReference;
    SmallVector<Type *, 2> FloatTypes;
    for (Argument &Param : drop_begin(Microtask.args(), 2))
      if (Type *FloatTy = carriedFloatType(Param)) {
        ByReference.push_back(Param.getArgNo());
        FloatTypes.push_back(FloatTy);
      }
    if (ByReference.empty())
      continue;
    Call->setCalledFunction(
        &byReferenceMicrotask(Microtask, ByReference, FloatTypes));
    IRBuilder<> EB(&*F.getEntryBlock().getFirstInsertionPt());
    IRBuilder<> B(Call);
    for (auto [ArgNo, FloatTy] : zip(ByReference, FloatTypes)) {
      Value *Bits = Call->getArgOperand(ArgNo);
      Value *Float = floatOfBits(B, Bits, FloatTy);
      AllocaInst *Slot =
          EB.CreateAlloca(FloatTy, nullptr, Bits->getName() + ".byref");
      B.CreateStore(Float, Slot);
      Call->setArgOperand(ArgNo, Slot);
    }
  }
}

Value *parallelRegionLocation(const CallBase &Call) {
  std::optional<OperandBundleUse> Bundle = Call.getOperandBundle(ForkBundle);
  return Bundle ? Bundle->Inputs.front().get() : nullptr;
}

/// Emits `__kmpc_fork_call(Loc, n, Microtask, Captured...)`.
static void emitFork(IRBuilderBase &B, Value *Loc, Function &Microtask,
                     ArrayRef<Value *> Captured) {
  Module &M = *B.GetInsertBlock()->getModule();
  Type *PtrTy = B.getPtrTy();
  FunctionCallee Fork = M.getOrInsertFunction(
      "__kmpc_fork_call",
      FunctionType::get(B.getVoidTy(), {PtrTy, B.getInt32Ty(), PtrTy},
                        /*isVarArg=*/true));
  SmallVector<Value *, 8> Args{Loc, B.getInt32(Captured.size()), &Microtask};
  append_range(Args, Captured);
  B.CreateCall(Fork, Args);
}

void restoreParallelRegions(Module &M) {
  for (Function &F : M)
    for (Instruction &I : make_early_inc_range(instructions(F))) {
      auto *Call = dyn_cast<CallBase>(&I);
      Value *Loc = Call ? parallelRegionLocation(*Call) : nullptr;
      if (!Loc)
        continue;
      IRBuilder<> B(Call);
      SmallVector<Value *, 8> Captured(drop_begin(Call->args(), 2));
      emitFork(B, Loc, *Call->getCalledFunction(), Captured);
      Call->eraseFromParent();
    }
}

Value *currentGlobalThread(IRBuilderBase &B, Value *Loc) {
  Module &M = *B.GetInsertBlock()->getModule();
  return B.CreateCall(M.getOrInsertFunction("__kmpc_global_thread_num",
                                            B.getInt32Ty(), B.getPtrTy()),
                      {Loc}, "gtid");
}

namespace {
/// A thread's entry in the list of tapes of a parallel region: the next
/// entry, the thread's number in its team, and from offset TapeOffset its
/// tape.
constexpr uint64_t ThreadOffset = 8;
constexpr uint64_t TapeOffset = 16;
} // namespace

/// The module's internal function \p Name of type \p Ty, its body built by
/// \p Build when it is new.
static Function &helperFunction(Module &M, const Twine &Name, FunctionType *Ty,
                                function_ref<void(Function &)> Build) {
  std::string FullName = Name.str();
  if (Function *Existing = M.getFunction(FullName))
    return *Existing;
  Function *F = Function::Create(Ty, GlobalValue::InternalLinkage, FullName, M);
  F->addFnAttr(Attribute::NoUnwind);
  Build(*F);
  return *F;
}

/// A microtask `(gtid, btid, list, Args...)` whose body \p Build fills in.
static Function &wrapperMicrotask(Module &M, const Twine &Name,
                                  ArrayRef<Value *> Args,
                                  function_ref<void(Function &)> Build) {
  Type *PtrTy = PointerType::getUnqual(M.getContext());
  SmallVector<Type *, 8> Params{PtrTy, PtrTy, PtrTy};
  for (Value *V : Args)
    Params.push_back(V->getType());
  return helperFunction(
      M, Name,
      FunctionType::get(Type::getVoidTy(M.getContext()), Params, false), Build);
}

/// Calls the sweep \p Sweep `(tape, gtid, btid, Args...)` from the wrapper
/// \p Wrapper `(gtid, btid, list, Args...)` on the tape of list entry
/// \p Entry.
static void callOnThreadTape(IRBuilderBase &B, Function &Sweep,
                             Function &Wrapper, Value *Entry) {
  SmallVector<Value *, 8> Args{
      B.CreateConstGEP1_64(B.getInt8Ty(), Entry, TapeOffset), Wrapper.getArg(0),
      Wrapper.getArg(1)};
  for (Argument &A : drop_begin(Wrapper.args(), 3))
    Args.push_back(&A);
  B.CreateCall(&Sweep, Args);
}

void emitAugmentedParallelRegion(IRBuilderBase &B, Value *Loc,
                                 Function &Augmented, uint64_t TapeBytes,
                                 TapeStackOps &Stacks, Value *List,
                                 ArrayRef<Value *> Args) {
  Module &M = *B.GetInsertBlock()->getModule();
  Function &Wrapper = wrapperMicrotask(
      M, "fluxion.omp.aug." + Augmented.getName(), Args, [&](Function &F) {
        IRBuilder<> WB(BasicBlock::Create(M.getContext(), "entry", &F));
        Value *Entry = Stacks.allocate(WB, WB.getInt64(TapeOffset + TapeBytes),
                                       "thread.tape");
        Value *Thread = WB.CreateLoad(WB.getInt32Ty(), F.getArg(1), "btid");
        WB.CreateStore(
            Thread, WB.CreateConstGEP1_64(WB.getInt8Ty(), Entry, ThreadOffset));
        callOnThreadTape(WB, Augmented, F, Entry);
        // The list is read after the team joins, which orders these writes.
        Value *Next =
            WB.CreateAtomicRMW(AtomicRMWInst::Xchg, F.getArg(2), Entry,
                               Align(8), AtomicOrdering::Monotonic);
        WB.CreateStore(Next, Entry);
        WB.CreateRetVoid();
      });
  SmallVector<Value *, 8> Captured{List};
  append_range(Captured, Args);
  emitFork(B, Loc, Wrapper, Captured);
}

/// `fluxion.omp.team(list)`, how many tapes the list holds, or with
/// \p Release `fluxion.omp.release(list)`, which frees them.
static Function &tapeListFunction(Module &M, bool Release) {
  LLVMContext &Ctx = M.getContext();
  Type *PtrTy = PointerType::getUnqual(Ctx), *I32 = Type::getInt32Ty(Ctx);
  Type *RetTy = Release ? Type::getVoidTy(Ctx) : I32;
  return helperFunction(
      M, Release ? "fluxion.omp.release" : "fluxion.omp.team",
      FunctionType::get(RetTy, {PtrTy}, false), [&](Function &F) {
        auto *Entry = BasicBlock::Create(Ctx, "entry", &F);
        auto *Loop = BasicBlock::Create(Ctx, "loop", &F);
        auto *Body = BasicBlock::Create(Ctx, "next", &F);
        auto *Exit = BasicBlock::Create(Ctx, "exit", &F);
        IRBuilder<> B(Entry);
        Value *First = B.CreateLoad(PtrTy, F.getArg(0), "first");
        B.CreateBr(Loop);
        B.SetInsertPoint(Loop);
        PHINode *Node = B.CreatePHI(PtrTy, 2, "node");
        PHINode *Count = B.CreatePHI(I32, 2, "count");
        Node->addIncoming(First, Entry);
        Count->addIncoming(B.getInt32(0), Entry);
        B.CreateCondBr(B.CreateIsNull(Node), Exit, Body);
        B.SetInsertPoint(Body);
        Node->addIncoming(B.CreateLoad(PtrTy, Node, "next"), Body);
        Count->addIncoming(B.CreateAdd(Count, B.getInt32(1)), Body);
        if (Release)
          B.CreateCall(M.getOrInsertFunction("free", B.getVoidTy(), PtrTy),
                       {Node});
        B.CreateBr(Loop);
        B.SetInsertPoint(Exit);
        if (Release)
          B.CreateRetVoid();
        else
          B.CreateRet(Count);
      });
}

void emitReverseParallelRegion(IRBuilderBase &B, Value *Loc, Function &Reverse,
                               Value *List, ArrayRef<Value *> Args) {
  Module &M = *B.GetInsertBlock()->getModule();
  LLVMContext &Ctx = M.getContext();
  Function &Wrapper = wrapperMicrotask(
      M, "fluxion.omp.rev." + Reverse.getName(), Args, [&](Function &F) {
        auto *Entry = BasicBlock::Create(Ctx, "entry", &F);
        auto *Search = BasicBlock::Create(Ctx, "search", &F);
        auto *Next = BasicBlock::Create(Ctx, "next", &F);
        auto *Found = BasicBlock::Create(Ctx, "found", &F);
        IRBuilder<> WB(Entry);
        Type *PtrTy = WB.getPtrTy();
        Value *Thread = WB.CreateLoad(WB.getInt32Ty(), F.getArg(1), "btid");
        Value *First = WB.CreateLoad(PtrTy, F.getArg(2), "first");
        WB.CreateBr(Search);
        WB.SetInsertPoint(Search);
        PHINode *Node = WB.CreatePHI(PtrTy, 2, "node");
        Node->addIncoming(First, Entry);
        Value *Owner = WB.CreateLoad(
            WB.getInt32Ty(),
            WB.CreateConstGEP1_64(WB.getInt8Ty(), Node, ThreadOffset));
        WB.CreateCondBr(WB.CreateICmpEQ(Owner, Thread), Found, Next);
        WB.SetInsertPoint(Next);
        Node->addIncoming(WB.CreateLoad(PtrTy, Node, "next"), Next);
        WB.CreateBr(Search);
        WB.SetInsertPoint(Found);
        callOnThreadTape(WB, Reverse, F, Node);
        WB.CreateRetVoid();
      });
  // The reverse team has as many threads as the primal's had: thread k
  // reverses what thread k ran.
  Value *Team =
      B.CreateCall(&tapeListFunction(M, /*Release=*/false), {List}, "team");
  B.CreateCall(M.getOrInsertFunction("__kmpc_push_num_threads", B.getVoidTy(),
                                     B.getPtrTy(), B.getInt32Ty(),
                                     B.getInt32Ty()),
               {Loc, currentGlobalThread(B, Loc), Team});
  SmallVector<Value *, 8> Captured{List};
  append_range(Captured, Args);
  emitFork(B, Loc, Wrapper, Captured);
  // Other threads search the list until the team joins.
  B.CreateCall(&tapeListFunction(M, /*Release=*/true), {List});
}

//===-- Critical sections in reverse order --------------------------------===//

/// The count of critical sections entered under \p Lock by augmented
/// forward sweeps, and so far left by reverse sweeps.
static GlobalVariable &turnCounter(GlobalVariable &Lock) {
  Module &M = *Lock.getParent();
  std::string Name = ("fluxion.omp.turn" + Lock.getName()).str();
  if (GlobalVariable *Counter = M.getGlobalVariable(Name, true))
    return *Counter;
  Type *I64 = Type::getInt64Ty(M.getContext());
  return *new GlobalVariable(M, I64, /*isConstant=*/false,
                             GlobalValue::InternalLinkage,
                             ConstantInt::get(I64, 0), Name);
}

Value *takeCriticalTicket(IRBuilderBase &B, GlobalVariable &Lock) {
  return B.CreateAtomicRMW(AtomicRMWInst::Add, &turnCounter(Lock),
                           B.getInt64(1), Align(8), AtomicOrdering::Monotonic);
}

/// `fluxion.omp.await(counter, value)`: yields until the counter holds the
/// value.
static Function &awaitFunction(Module &M) {
  LLVMContext &Ctx = M.getContext();
  Type *PtrTy = PointerType::getUnqual(Ctx), *I64 = Type::getInt64Ty(Ctx);
  return helperFunction(
      M, "fluxion.omp.await",
      FunctionType::get(Type::getVoidTy(Ctx), {PtrTy, I64}, false),
      [&](Function &F) {
        auto *Entry = BasicBlock::Create(Ctx, "entry", &F);
        auto *Check = BasicBlock::Create(Ctx, "check", &F);
        auto *Yield = BasicBlock::Create(Ctx, "yield", &F);
        auto *Done = BasicBlock::Create(Ctx, "done", &F);
        IRBuilder<> B(Entry);
        B.CreateBr(Check);
        B.SetInsertPoint(Check);
        LoadInst *Turn =
            B.CreateAlignedLoad(I64, F.getArg(0), Align(8), "turn");
        Turn->setAtomic(AtomicOrdering::Acquire);
        B.CreateCondBr(B.CreateICmpEQ(Turn, F.getArg(1)), Done, Yield);
        B.SetInsertPoint(Yield);
        B.CreateCall(M.getOrInsertFunction("sched_yield", B.getInt32Ty()));
        B.CreateBr(Check);
        B.SetInsertPoint(Done);
        B.CreateRetVoid();
      });
}

void awaitCriticalTurn(IRBuilderBase &B, GlobalVariable &Lock, Value *Ticket) {
  Module &M = *Lock.getParent();
  B.CreateCall(&awaitFunction(M),
               {&turnCounter(Lock), B.CreateAdd(Ticket, B.getInt64(1))});
}

void passCriticalTurn(IRBuilderBase &B, GlobalVariable &Lock, Value *Ticket) {
  B.CreateAlignedStore(Ticket, &turnCounter(Lock), Align(8))
      ->setAtomic(AtomicOrdering::Release);
}

CallBase *criticalSectionStart(CallBase &End, const DominatorTree &DT) {
  Value *Lock = End.getArgOperand(2);
  auto Starts = [&](Instruction &I) {
    auto *Call = dyn_cast<CallBase>(&I);
    return Call && Call->getCalledFunction() &&
           openMPRole(*Call->getCalledFunction()) ==
               OpenMPRole::CriticalBegin &&
           Call->getArgOperand(2) == Lock;
  };
  for (Instruction &I :
       make_range(std::next(End.getReverseIterator()), End.getParent()->rend()))
    if (Starts(I))
      return cast<CallBase>(&I);
  for (DomTreeNode *Node = DT.getNode(End.getParent())->getIDom(); Node;
       Node = Node->getIDom())
    for (Instruction &I : reverse(*Node->getBlock()))
      if (Starts(I))
        return cast<CallBase>(&I);
  return nullptr;
}

//===-- Adjoint windows ---------------------------------------------------===//

// Generated from runtime/omp/AdjointWindows.c (passes/EmbedBitcode.cmake).
extern const unsigned char AdjointWindowsBitcode[];
extern const std::size_t AdjointWindowsBitcodeSize;

constexpr StringLiteral WindowPrefix = "__fluxion_window_";

/// {base, capacity, buffer, dirty low, dirty high}, as AdjointWindows.c
/// declares it.
static StructType *windowType(LLVMContext &Ctx) {
  Type *PtrTy = PointerType::getUnqual(Ctx), *I64 = Type::getInt64Ty(Ctx);
  return StructType::get(Ctx, {PtrTy, I64, PtrTy, I64, I64});
}

static StringRef windowSuffix(Type *Ty) {
  if (Ty->isDoubleTy())
    return "f64";
  if (Ty->isFloatTy())
    return "f32";
  return "";
}

bool AdjointWindows::add(IRBuilderBase &B, const Value *Object, Value *Address,
                         Value *Delta) {
  Type *Ty = Delta->getType();
  StringRef Suffix = windowSuffix(Ty);
  if (Suffix.empty())
    return false;
  AllocaInst *&Window = Windows[{Object, Ty}];
  if (!Window) {
    IRBuilder<> EB(Entry, Entry->getFirstInsertionPt());
    StructType *WindowTy = windowType(B.getContext());
    Window = EB.CreateAlloca(WindowTy, nullptr, "adjoint.window");
    // No range yet, nothing dirty (low above high).
    EB.CreateStore(Constant::getNullValue(WindowTy), Window);
    EB.CreateStore(EB.getInt64(UINT64_MAX),
                   EB.CreateStructGEP(WindowTy, Window, 3));
  }
  Module &M = *B.GetInsertBlock()->getModule();
  B.CreateCall(M.getOrInsertFunction((WindowPrefix + "add_" + Suffix).str(),
                                     B.getVoidTy(), B.getPtrTy(), B.getPtrTy(),
                                     Ty),
               {Window, Address, Delta});
  return true;
}

void AdjointWindows::callEach(IRBuilderBase &B, StringRef Operation) {
  Module &M = *B.GetInsertBlock()->getModule();
  for (auto &[Key, Window] : Windows)
    B.CreateCall(
        M.getOrInsertFunction(
            (WindowPrefix + Operation + "_" + windowSuffix(Key.second)).str(),
            B.getVoidTy(), B.getPtrTy()),
        {Window});
}

void AdjointWindows::flush(IRBuilderBase &B) {
  FlushPoints.push_back(B.CreateIntrinsic(Intrinsic::donothing, {}));
}

void AdjointWindows::finish(IRBuilderBase &B) {
  for (Instruction *Point : FlushPoints) {
    IRBuilder<> PB(Point);
    callEach(PB, "flush");
    Point->eraseFromParent();
  }
  FlushPoints.clear();
  callEach(B, "release");
}

void linkAdjointWindows(Module &M) {
  if (none_of(M, [](const Function &F) {
        return F.isDeclaration() && F.getName().starts_with(WindowPrefix);
      }))
    return;
  std::unique_ptr<Module> Windows = loadEmbeddedBitcode(
      M,
      StringRef(reinterpret_cast<const char *>(AdjointWindowsBitcode),
                AdjointWindowsBitcodeSize),
      "the OpenMP adjoint windows");
  if (!Windows ||
      Linker::linkModules(M, std::move(Windows), Linker::LinkOnlyNeeded))
    return;
  for (Function &F : M)
    if (F.getName().starts_with(WindowPrefix) && !F.isDeclaration())
      F.setLinkage(GlobalValue::InternalLinkage);
}

} // namespace fluxion
