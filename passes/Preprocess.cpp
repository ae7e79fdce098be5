//===- Preprocess.cpp - The simplified copy of a function that is differentiated
//===//

#include "Preprocess.h"

#include "BuiltinCall.h"
#include "CustomRules.h"
#include "DerivativeRules.h"
#include "InstructionSupport.h"
#include "IntegerViews.h"
#include "Libdevice.h"
#include "LibraryFunctions.h"
#include "OpenMP.h"
#include "PacketMath.h"
#include "Tape.h"
#include "TypeAnalysis.h"
#include "WarpShuffle.h"

#include "llvm/Analysis/ConstantFolding.h"
#include "llvm/Analysis/Loads.h"
#include "llvm/Analysis/ValueTracking.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/PatternMatch.h"
#include "llvm/Transforms/InstCombine/InstCombine.h"
#include "llvm/Transforms/Scalar/EarlyCSE.h"
#include "llvm/Transforms/Scalar/SROA.h"
#include "llvm/Transforms/Scalar/SimplifyCFG.h"
#include "llvm/Transforms/Utils/BasicBlockUtils.h"
#include "llvm/Transforms/Utils/Cloning.h"
#include "llvm/Transforms/Utils/Local.h"
#include "llvm/Transforms/Utils/LoopSimplify.h"
#include "llvm/Transforms/Utils/Mem2Reg.h"
#include "llvm/Transforms/Utils/UnifyFunctionExitNodes.h"

using namespace llvm;

namespace fluxion {

PreprocessCache::PreprocessCache() {
  PB.registerModuleAnalyses(MAM);
  PB.registerCGSCCAnalyses(CGAM);
  PB.registerFunctionAnalyses(FAM);
  PB.registerLoopAnalyses(LAM);
  PB.crossRegisterProxies(LAM, FAM, CGAM, MAM);
}

PreprocessCache::~PreprocessCache() = default;

/// Whether the derivative of \p Call comes from its callee's body, not from
/// a rule, a checkpoint or an allocator's pairing.
static bool differentiatesBody(CallBase &Call) {
  Function *Callee = Call.getCalledFunction();
  return Callee && !Callee->isDeclaration() && !Callee->isVarArg() &&
         !isMarkedInactive(*Callee) && !isCheckpointed(*Callee) &&
         !customRule(*Callee).Forward && !customRule(*Callee).Reverse &&
         !customAllocator(*Callee) && !packetMathRow(*Callee) &&
         !findElementwiseRule(Call);
}

/// Inlines small, non-recursive callees into \p Copy, as the -O2 inliner
/// would have, so that closures and helper objects that clang leaves in
/// memory at -O0 become SSA values after SROA.
void inlineSmallCallees(Function &Copy, Function &Original,
                        unsigned MaxCalleeSize, unsigned Rounds) {
  for (unsigned Round = 0; Round < Rounds; ++Round) {
    SmallVector<CallBase *, 8> Calls;
    for (Instruction &I : instructions(Copy)) {
      auto *Call = dyn_cast<CallBase>(&I);
      Function *Callee = Call ? Call->getCalledFunction() : nullptr;
      if (!Callee || Callee == &Original ||
          Callee->getInstructionCount() > MaxCalleeSize ||
          !differentiatesBody(*Call))
        continue;
      bool Recursive = any_of(instructions(*Callee), [&](Instruction &J) {
        auto *Inner = dyn_cast<CallBase>(&J);
        return Inner && Inner->getCalledFunction() == Callee;
      });
      if (!Recursive)
        Calls.push_back(Call);
    }
    if (Calls.empty())
      return;
    for (CallBase *Call : Calls) {
      tagCopiesWithDeclaredTypes(*Call->getCalledFunction());
      InlineFunctionInfo IFI;
      InlineFunction(*Call, IFI);
    }
  }
}

/// Whether the program only ever reads \p GV: every use loads from it,
/// directly or through constant address arithmetic.
static bool onlyRead(const GlobalVariable &GV) {
  SmallVector<const Value *, 8> Worklist{&GV};
  while (!Worklist.empty()) {
    const Value *V = Worklist.pop_back_val();
    for (const User *U : V->users()) {
      if (isa<LoadInst>(U))
        continue;
      if (isa<GEPOperator, BitCastOperator>(U)) {
        Worklist.push_back(U);
        continue;
      }
      return false;
    }
  }
  return true;
}

/// Calls through a function pointer loaded from a global the program
/// never writes (a table of allocators initialized with malloc) call the
/// function its initializer holds. Where another translation unit could
/// write the global, the derivative checks at run time that the pointer
/// is still that function and traps if not.
static void resolveCallsThroughGlobals(Function &Copy) {
  const DataLayout &DL = Copy.getDataLayout();
  SmallVector<std::tuple<CallBase *, LoadInst *, Function *, bool>, 4> Resolved;
  for (Instruction &I : instructions(Copy)) {
    auto *Call = dyn_cast<CallBase>(&I);
    auto *Pointer = Call && !Call->getCalledFunction() && !Call->isInlineAsm()
                        ? dyn_cast<LoadInst>(Call->getCalledOperand())
                        : nullptr;
    if (!Pointer || !Pointer->isSimple())
      continue;
    APInt Offset(DL.getIndexTypeSizeInBits(Pointer->getPointerOperandType()),
                 0);
    auto *GV = dyn_cast<GlobalVariable>(
        Pointer->getPointerOperand()->stripAndAccumulateConstantOffsets(
            DL, Offset, /*AllowNonInbounds=*/true));
    if (!GV || !GV->hasDefinitiveInitializer() || !onlyRead(*GV))
      continue;
    auto *Target = dyn_cast_or_null<Function>(ConstantFoldLoadFromConst(
        GV->getInitializer(), Pointer->getType(), Offset, DL));
    if (Target && Target->getFunctionType() == Call->getFunctionType())
      Resolved.emplace_back(Call, Pointer, Target, !GV->hasLocalLinkage());
  }
  for (auto [Call, Pointer, Target, Checked] : Resolved) {
    if (Checked) {
      IRBuilder<> B(Call);
      Value *Changed = B.CreateICmpNE(Pointer, Target, "fnptr.changed");
      Instruction *Trap = SplitBlockAndInsertIfThen(Changed, Call, true);
      B.SetInsertPoint(Trap);
      B.CreateIntrinsic(Intrinsic::trap, {});
    }
    Call->setCalledOperand(Target);
  }
}

/// Whether parameter \p Param is called, or handed on to a call that may
/// call it.
static bool reachesCall(const Argument &Param) {
  return any_of(Param.users(), [&](const User *U) {
    const auto *Call = dyn_cast<CallBase>(U);
    return Call && !Call->isInlineAsm() && !isa<IntrinsicInst>(Call);
  });
}

void PreprocessCache::specializeFunctionArguments(Function &Copy) {
  for (Instruction &I : instructions(Copy)) {
    auto *Call = dyn_cast<CallBase>(&I);
    if (!Call || !differentiatesBody(*Call))
      continue;
    for (unsigned ArgNo = 0; ArgNo < Call->arg_size(); ++ArgNo) {
      Function *Callee = Call->getCalledFunction();
      auto *Target =
          dyn_cast<Function>(Call->getArgOperand(ArgNo)->stripPointerCasts());
      if (!Target || !reachesCall(*Callee->getArg(ArgNo)))
        continue;
      Function *&Specialized = Specializations[{Callee, ArgNo, Target}];
      if (!Specialized) {
        ValueToValueMapTy VMap;
        Specialized = CloneFunction(Callee, VMap);
        Specialized->setName(Callee->getName() + ".fluxion.with." +
                             Target->getName());
        Specialized->setLinkage(GlobalValue::InternalLinkage);
        Specialized->setComdat(nullptr);
        Argument *Param = Specialized->getArg(ArgNo);
        Param->replaceAllUsesWith(
            ConstantExpr::getPointerBitCastOrAddrSpaceCast(Target,
                                                           Param->getType()));
      }
      Call->setCalledFunction(Specialized);
    }
  }
}

/// __enzyme_iter(N, Step) counts one more Step in each derivative taken of
/// the code it is in.
static void stepIterationCounts(Function &Copy) {
  for (Instruction &I : instructions(Copy)) {
    auto *Call = dyn_cast<CallBase>(&I);
    Function *Callee = Call ? Call->getCalledFunction() : nullptr;
    if (!Callee || builtinKind(*Callee) != BuiltinKind::Iteration ||
        Call->arg_size() != 2 ||
        Call->getArgOperand(0)->getType() != Call->getArgOperand(1)->getType())
      continue;
    IRBuilder<> B(Call);
    Call->setArgOperand(
        0, B.CreateAdd(Call->getArgOperand(0), Call->getArgOperand(1)));
  }
}

/// Turns invokes into calls. A derivative cannot unwind: an exception thrown
/// inside differentiated code (std::bad_alloc, say) terminates the program,
/// as it does in Enzyme, and the landing pads become unreachable.
static void removeUnwinding(Function &Copy) {
  SmallVector<InvokeInst *, 4> Invokes;
  for (BasicBlock &BB : Copy)
    if (auto *II = dyn_cast<InvokeInst>(BB.getTerminator()))
      Invokes.push_back(II);
  for (InvokeInst *II : Invokes)
    changeToCall(II);
  removeUnreachableBlocks(Copy);
}

/// Whether operand \p OpNo of \p User carries the bits of a value on to its
/// result or to memory unchanged (the stored value, a phi's or select's
/// incoming value, a vector element or shuffled vector).
static bool movesBits(const Instruction &User, unsigned OpNo) {
  if (isa<StoreInst>(User))
    return OpNo == 0;
  if (isa<SelectInst>(User))
    return OpNo != 0;
  if (isa<InsertElementInst>(User))
    return OpNo != 2;
  return isa<PHINode>(User) || isa<ShuffleVectorInst>(User);
}

/// The instructions the bits of integer load \p LI move through unchanged, up
/// to the stores that write them, the load first; empty when some user
/// computes with the bits or mixes them with bits of another origin.
static SmallVector<Instruction *, 8> bitMovingWeb(LoadInst &LI) {
  SmallVector<Instruction *, 8> Web{&LI};
  SmallPtrSet<Value *, 8> InWeb{&LI};
  for (unsigned I = 0; I < Web.size(); ++I)
    for (Use &U : Web[I]->uses()) {
      auto *User = cast<Instruction>(U.getUser());
      if (!movesBits(*User, U.getOperandNo()))
        return {};
      if (InWeb.insert(User).second)
        Web.push_back(User);
    }
  for (Instruction *I : Web)
    for (Use &Op : I->operands())
      if (I != &LI && movesBits(*I, Op.getOperandNo()) &&
          !InWeb.contains(Op.get()) && !isa<Constant>(Op.get()))
        return {};
  return Web;
}

/// The floating type whose bits integer load \p LI copies, if it copies one:
/// what the accesses to the memory read say, else those to the memory the
/// load is stored to directly, else what either is declared to hold.
static Type *copiedFloatingType(LoadInst &LI, ArrayRef<Instruction *> Web) {
  SmallVector<Value *, 4> Sides{LI.getPointerOperand()};
  for (Instruction *I : Web)
    if (auto *SI = dyn_cast<StoreInst>(I); SI && SI->getValueOperand() == &LI)
      Sides.push_back(SI->getPointerOperand());
  uint64_t Size = LI.getDataLayout().getTypeStoreSize(LI.getType());
  Type *Elem = nullptr;
  for (Value *Ptr : Sides)
    if (!Elem)
      Elem = deduceTypeAt(Ptr, Size);
  for (Value *Ptr : Sides)
    if (!Elem)
      Elem = deduceElementType(Ptr);
  if (!Elem || !Elem->isFloatingPointTy() ||
      Elem->getPrimitiveSizeInBits() != LI.getType()->getPrimitiveSizeInBits())
    return nullptr;
  return Elem;
}

/// Copies of memory the optimizer performs with integers (a small memcpy
/// becomes `store i64 (load i64 p), q`; a float filled into a buffer becomes
/// an i32 splat) are given back the floating type the memory holds, so that
/// their derivatives flow.
static void retypeIntegerCopies(Function &Copy) {
  SmallVector<LoadInst *, 8> Loads;
  for (Instruction &I : instructions(Copy))
    if (auto *LI = dyn_cast<LoadInst>(&I); LI && LI->getType()->isIntegerTy())
      Loads.push_back(LI);
  for (LoadInst *LI : Loads) {
    SmallVector<Instruction *, 8> Web = bitMovingWeb(*LI);

    Type *Elem = Web.size() > 1 ? copiedFloatingType(*LI, Web) : nullptr;
    if (!Elem)
      continue;
    ValueMap<Value *, Value *> Retyped;
    for (Instruction *I : Web) {
      Instruction *New = I->clone();
      if (!isa<StoreInst>(I))
        New->mutateType(I->getType()->getWithNewType(Elem));
      New->setMetadata(LLVMContext::MD_range, nullptr);
      New->insertBefore(I->getIterator());
      New->takeName(I);
      Retyped[I] = New;
    }
    for (Instruction *I : Web)
      for (Use &Op : I->operands()) {
        if (I == LI || !movesBits(*I, Op.getOperandNo()))
          continue;
        Value *Bits = Op.get();
        auto *New = cast<Instruction>(Retyped[I]);
        New->setOperand(Op.getOperandNo(),
                        isa<Constant>(Bits)
                            ? ConstantExpr::getBitCast(
                                  cast<Constant>(Bits),
                                  Bits->getType()->getWithNewType(Elem))
                            : Retyped[Bits]);
      }
    for (Instruction *I : Web)
      I->dropAllReferences();
    for (Instruction *I : Web)
      I->eraseFromParent();
  }
}

/// The pointer and byte offset integer address \p V is computed from:
/// `(uintptr_t)p + a - b` is p and a - b, the offset built at \p B.
static std::optional<std::pair<Value *, Value *>>
addressParts(Value *V, IRBuilderBase &B, unsigned Depth = 0) {
  using namespace PatternMatch;
  constexpr unsigned MaxDepth = 8;
  Value *Base, *L, *R;
  if (match(V, m_PtrToInt(m_Value(Base))))
    return std::make_pair(Base, ConstantInt::get(V->getType(), 0));
  if (Depth > MaxDepth || !match(V, m_BinOp(m_Value(L), m_Value(R))))
    return std::nullopt;
  auto *Op = cast<BinaryOperator>(V);
  if (Op->getOpcode() != Instruction::Add &&
      Op->getOpcode() != Instruction::Sub)
    return std::nullopt;
  if (auto Left = addressParts(L, B, Depth + 1))
    return std::make_pair(Left->first, Op->getOpcode() == Instruction::Add
                                           ? B.CreateAdd(Left->second, R)
                                           : B.CreateSub(Left->second, R));
  if (Op->getOpcode() == Instruction::Add)
    if (auto Right = addressParts(R, B, Depth + 1))
      return std::make_pair(Right->first, B.CreateAdd(L, Right->second));
  return std::nullopt;
}

/// Addresses computed with integers (`(double *)((uintptr_t)x + 8)`) become
/// byte offsets from the pointer they came from, which shadows follow.
static void rebaseIntegerAddresses(Function &Copy) {
  for (Instruction &I : make_early_inc_range(instructions(Copy))) {
    auto *Cast = dyn_cast<IntToPtrInst>(&I);
    if (!Cast)
      continue;
    IRBuilder<> B(Cast);
    auto Parts = addressParts(Cast->getOperand(0), B);
    if (!Parts)
      continue;
    auto [Base, Offset] = *Parts;
    Value *Address = B.CreateGEP(B.getInt8Ty(), Base, Offset);
    Cast->replaceAllUsesWith(
        B.CreatePointerBitCastOrAddrSpaceCast(Address, Cast->getType()));
    Cast->eraseFromParent();
  }
}

/// A floating update of an `_Atomic` variable (`*acc += v`) compiles to a
/// compare-and-swap loop over the value's bits; it is an atomic add, which
/// has a derivative, so it becomes one. Returns whether it changed \p F.
static bool fuseCompareExchangeLoops(Function &F) {
  using namespace PatternMatch;
  SmallVector<AtomicCmpXchgInst *, 2> Exchanges;
  for (Instruction &I : instructions(F))
    if (auto *CX = dyn_cast<AtomicCmpXchgInst>(&I))
      Exchanges.push_back(CX);
  bool Changed = false;
  for (AtomicCmpXchgInst *CX : Exchanges) {
    BasicBlock *Loop = CX->getParent();
    Value *OldValue, *NewValue, *Addend, *L, *R;
    if (!match(CX->getCompareOperand(), m_BitCast(m_Value(OldValue))) ||
        !match(CX->getNewValOperand(), m_BitCast(m_Value(NewValue))))
      continue;
    auto *Old = dyn_cast<PHINode>(OldValue);
    auto *New = dyn_cast<Instruction>(NewValue);
    auto *Retry = dyn_cast<BranchInst>(Loop->getTerminator());
    if (!Old || Old->getParent() != Loop || !New || New->getParent() != Loop ||
        !Old->getType()->isFloatingPointTy() || !Retry ||
        !Retry->isConditional() || Retry->getSuccessor(1) != Loop ||
        !match(Retry->getCondition(), m_ExtractValue<1>(m_Specific(CX))))
      continue;
    // Only the update reads the value from before the exchange.
    if (any_of(Old->users(), [&](User *U) {
          return U != New && U != CX->getCompareOperand();
        }))
      continue;
    AtomicRMWInst::BinOp Op = AtomicRMWInst::FAdd;
    IRBuilder<> B(New);
    if (match(New, m_c_FAdd(m_Specific(Old), m_Value(Addend)))) {
    } else if (match(New, m_FSub(m_Specific(Old), m_Value(Addend)))) {
      Op = AtomicRMWInst::FSub;
    } else if (match(New, m_Intrinsic<Intrinsic::fmuladd>(
                              m_Value(L), m_Value(R), m_Specific(Old)))) {
      Addend = B.CreateFMulFMF(L, R, New);
    } else {
      continue;
    }
    AtomicRMWInst *Update =
        B.CreateAtomicRMW(Op, CX->getPointerOperand(), Addend, CX->getAlign(),
                          CX->getSuccessOrdering(), CX->getSyncScopeID());
    B.SetInsertPoint(CX);
    Value *OldBits =
        B.CreateBitCast(Update, CX->getCompareOperand()->getType());
    for (User *U : make_early_inc_range(CX->users())) {
      auto *Field = cast<ExtractValueInst>(U);
      Field->replaceAllUsesWith(Field->getIndices()[0] == 0
                                    ? OldBits
                                    : ConstantInt::getTrue(F.getContext()));
      Field->eraseFromParent();
    }
    auto *Compared = cast<Instruction>(CX->getCompareOperand());
    auto *Desired = cast<Instruction>(CX->getNewValOperand());
    CX->eraseFromParent();
    Compared->eraseFromParent();
    Desired->eraseFromParent();
    Old->replaceAllUsesWith(Update);
    Old->eraseFromParent();
    Changed = true;
  }
  return Changed;
}

/// posix_memalign(&p, alignment, size) hands its allocation back through
/// memory; as p = memalign(alignment, size) the allocation is a value that
/// gets a shadow like malloc's.
static void returnAlignedAllocations(Function &Copy) {
  for (Instruction &I : make_early_inc_range(instructions(Copy))) {
    auto *Call = dyn_cast<CallInst>(&I);
    Function *Callee = Call ? Call->getCalledFunction() : nullptr;
    if (!Callee || libraryFunction(*Callee) != LibFunc_posix_memalign)
      continue;
    IRBuilder<> B(Call);
    Module &M = *Copy.getParent();
    Value *Alignment = Call->getArgOperand(1), *Size = Call->getArgOperand(2);
    FunctionCallee Memalign = M.getOrInsertFunction(
        "memalign", B.getPtrTy(), Alignment->getType(), Size->getType());
    Value *Memory = B.CreateCall(Memalign, {Alignment, Size});
    B.CreateStore(Memory, Call->getArgOperand(0));
    constexpr unsigned OutOfMemory = 12; // ENOMEM
    Call->replaceAllUsesWith(B.CreateSelect(
        B.CreateIsNull(Memory), ConstantInt::get(Call->getType(), OutOfMemory),
        ConstantInt::get(Call->getType(), 0)));
    Call->eraseFromParent();
  }
}

bool splitSineCosine(Function &F, const LoopInfo *OnlyInLoops) {
  bool Changed = false;
  for (Instruction &I : make_early_inc_range(instructions(F))) {
    auto *Both = dyn_cast<IntrinsicInst>(&I);
    if (!Both || Both->getIntrinsicID() != Intrinsic::sincos ||
        (OnlyInLoops && !OnlyInLoops->getLoopFor(Both->getParent())))
      continue;
    Changed = true;
    IRBuilder<> B(Both);
    Value *X = Both->getArgOperand(0);
    Value *Pair = PoisonValue::get(Both->getType());
    Pair =
        B.CreateInsertValue(Pair, B.CreateUnaryIntrinsic(Intrinsic::sin, X), 0);
    Pair =
        B.CreateInsertValue(Pair, B.CreateUnaryIntrinsic(Intrinsic::cos, X), 1);
    Both->replaceAllUsesWith(Pair);
    Both->eraseFromParent();
  }
  return Changed;
}

/// The optimizer turns `c ? x[0] : y[i]` into a load through a select of
/// the two addresses. When they lie in different arguments' memory, one
/// may have a shadow and the other not (marked const), and the pointer would
/// need a shadow on both sides: the load is split back into a load on each
/// side, a select of the two where both may be loaded, else a branch.
static void loadEachSide(Function &Copy) {
  const DataLayout &DL = Copy.getDataLayout();
  SmallVector<std::pair<LoadInst *, SelectInst *>, 4> Loads;
  for (Instruction &I : instructions(Copy)) {
    auto *Load = dyn_cast<LoadInst>(&I);
    auto *Choice = Load && Load->isSimple()
                       ? dyn_cast<SelectInst>(Load->getPointerOperand())
                       : nullptr;
    if (!Choice)
      continue;
    const auto *True =
        dyn_cast<Argument>(getUnderlyingObject(Choice->getTrueValue()));
    const auto *False =
        dyn_cast<Argument>(getUnderlyingObject(Choice->getFalseValue()));
    if (True && False && True != False)
      Loads.push_back({Load, Choice});
  }
  for (auto [Load, Choice] : Loads) {
    Type *Ty = Load->getType();
    Align A = Load->getAlign();
    auto LoadAt = [&](IRBuilderBase &B, Value *Address) {
      LoadInst *Part = B.CreateAlignedLoad(Ty, Address, A);
      Part->copyMetadata(*Load);
      return Part;
    };
    Value *Cond = Choice->getCondition();
    Value *Both;
    if (isSafeToLoadUnconditionally(Choice->getTrueValue(), Ty, A, DL, Load) &&
        isSafeToLoadUnconditionally(Choice->getFalseValue(), Ty, A, DL, Load)) {
      IRBuilder<> B(Load);
      Both = B.CreateSelect(Cond, LoadAt(B, Choice->getTrueValue()),
                            LoadAt(B, Choice->getFalseValue()));
    } else {
      Instruction *ThenTerm, *ElseTerm;
      SplitBlockAndInsertIfThenElse(Cond, Load->getIterator(), &ThenTerm,
                                    &ElseTerm);
      IRBuilder<> Then(ThenTerm), Else(ElseTerm);
      Value *OnTrue = LoadAt(Then, Choice->getTrueValue());
      Value *OnFalse = LoadAt(Else, Choice->getFalseValue());
      IRBuilder<> B(Load);
      PHINode *Joined = B.CreatePHI(Ty, 2);
      Joined->addIncoming(OnTrue, ThenTerm->getParent());
      Joined->addIncoming(OnFalse, ElseTerm->getParent());
      Both = Joined;
    }
    Load->replaceAllUsesWith(Both);
    Load->eraseFromParent();
  }
  // The selects left unused would still look like mixed pointers.
  SmallVector<WeakTrackingVH, 4> Unused;
  for (auto [Load, Choice] : Loads)
    Unused.push_back(Choice);
  RecursivelyDeleteTriviallyDeadInstructionsPermissive(Unused);
}

/// Moves the reads of GPU special registers that stay the same in a thread
/// (indices, sizes) to the entry, as LICM would at -O2, so that loops
/// striding by gridDim * blockDim have invariant steps at -O0 too.
static void hoistSpecialRegisterReads(Function &F) {
  Instruction *Entry = &*F.getEntryBlock().getFirstNonPHIOrDbgOrAlloca();
  for (Instruction &I : make_early_inc_range(instructions(F)))
    if (readsThreadConstant(I) && I.getParent() != &F.getEntryBlock())
      I.moveBefore(Entry->getIterator());
}

Function &PreprocessCache::get(Function &F) {
  if (Function *Copy = Copies.lookup(&F))
    return *Copy;
  tagCopiesWithDeclaredTypes(F);
  ValueToValueMapTy VMap;
  Function *Copy = CloneFunction(&F, VMap);
  Copy->setName("fluxion.primal." + F.getName());
  Copy->setLinkage(GlobalValue::InternalLinkage);
  Copy->setCallingConv(CallingConv::C);
  Copy->removeFnAttr(Attribute::OptimizeNone);
  Copy->removeFnAttr(Attribute::NoInline);

  TapeStackOps::forgetKeptBuffers(*Copy);
  inlineSmallCallees(*Copy, F);
  serializeParallelRegions(*Copy);
  stepIterationCounts(*Copy);
  resolveCallsThroughGlobals(*Copy);
  removeUnwinding(*Copy);
  lowerPacketMathCalls(*Copy);
  returnAlignedAllocations(*Copy);
  splitSineCosine(*Copy, /*OnlyInLoops=*/nullptr);
  if (Copy->getParent()->getTargetTriple().isNVPTX()) {
    hoistSpecialRegisterReads(*Copy);
    lowerBitMoves(*Copy);
  }
  simplify(*Copy);
  captureFloatsByReference(*Copy);
  specializeFunctionArguments(*Copy);
  loadEachSide(*Copy);
  floatIntegerViews(*Copy);
  if (fuseCompareExchangeLoops(*Copy))
    simplify(*Copy);
  rebaseIntegerAddresses(*Copy);
  retypeIntegerCopies(*Copy);
  if (Copy->getParent()->getTargetTriple().isNVPTX())
    fuseDoubleShuffles(*Copy);

  Copies[&F] = Copy;
  Originals[Copy] = &F;
  return *Copy;
}

void PreprocessCache::simplify(Function &F) {
  FunctionPassManager FPM;
  FPM.addPass(SROAPass(SROAOptions::ModifyCFG));
  FPM.addPass(PromotePass());
  FPM.addPass(EarlyCSEPass());
  FPM.addPass(InstCombinePass());
  FPM.addPass(SimplifyCFGPass());
  FPM.addPass(UnifyFunctionExitNodesPass());
  // Dedicated exits and one latch per loop: the reverse sweep counts a
  // loop's counters down instead of taping them only in that form, which
  // SimplifyCFG undoes for a loop whose exit is also the skip of its guard.
  FPM.addPass(LoopSimplifyPass());
  FPM.run(F, FAM);
  FAM.clear(F, F.getName());
}

Function *PreprocessCache::original(Function &Copy) const {
  return Originals.lookup(&Copy);
}

void PreprocessCache::eraseCopies() {
  for (auto &[Original, Copy] : Copies) {
    FAM.clear(*Copy, Copy->getName());
    Copy->dropAllReferences();
  }
  for (auto &[Original, Copy] : Copies)
    Copy->eraseFromParent();
  Copies.clear();
  Originals.clear();
  // A specialization the derivatives still call stays; the rest go.
  bool Erased = true;
  while (Erased) {
    Erased = false;
    for (auto &[Key, Specialized] : Specializations)
      if (Specialized && Specialized->use_empty()) {
        Specialized->eraseFromParent();
        Specialized = nullptr;
        Erased = true;
      }
  }
  Specializations.clear();
}

} // namespace fluxion
