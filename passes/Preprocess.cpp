//===- Preprocess.cpp - The simplified copy of a function that is differentiated
//===//

#include "Preprocess.h"

#include "CustomRules.h"
#include "DerivativeRules.h"
#include "InstructionSupport.h"
#include "Libdevice.h"
#include "TypeAnalysis.h"
#include "WarpShuffle.h"

#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Module.h"
#include "llvm/Transforms/InstCombine/InstCombine.h"
#include "llvm/Transforms/Scalar/EarlyCSE.h"
#include "llvm/Transforms/Scalar/SROA.h"
#include "llvm/Transforms/Scalar/SimplifyCFG.h"
#include "llvm/Transforms/Utils/Cloning.h"
#include "llvm/Transforms/Utils/Local.h"
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
      if (!Callee || Callee->isDeclaration() || Callee == &Original ||
          Callee->isVarArg() || Callee->getInstructionCount() > MaxCalleeSize ||
          isMarkedInactive(*Callee) || isCheckpointed(*Callee) ||
          customRule(*Callee).Forward || customRule(*Callee).Reverse ||
          findElementwiseRule(*Call))
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
      InlineFunctionInfo IFI;
      InlineFunction(*Call, IFI);
    }
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

/// Copies of memory the optimizer performs with integers (a small memcpy
/// becomes `store i64 (load i64 p), q`) are given back the floating type the
/// memory holds, so that their derivatives flow.
static void retypeIntegerCopies(Function &Copy) {
  for (Instruction &I : make_early_inc_range(instructions(Copy))) {
    auto *SI = dyn_cast<StoreInst>(&I);
    auto *LI = SI ? dyn_cast<LoadInst>(SI->getValueOperand()) : nullptr;
    if (!LI || !LI->getType()->isIntegerTy() || !LI->hasOneUse() ||
        LI->getParent() != SI->getParent())
      continue;
    Type *Elem = deduceElementType(LI->getPointerOperand());
    if (!Elem)
      Elem = deduceElementType(SI->getPointerOperand());
    if (!Elem || !Elem->isFloatingPointTy() ||
        Elem->getPrimitiveSizeInBits() !=
            LI->getType()->getPrimitiveSizeInBits())
      continue;
    IRBuilder<> B(LI);
    LoadInst *Value = B.CreateAlignedLoad(Elem, LI->getPointerOperand(),
                                          LI->getAlign(), LI->isVolatile());
    B.SetInsertPoint(SI);
    B.CreateAlignedStore(Value, SI->getPointerOperand(), SI->getAlign(),
                         SI->isVolatile());
    SI->eraseFromParent();
    LI->eraseFromParent();
  }
}

/// A derivative computes sin and cos together (llvm.sincos); differentiated
/// again (nested AD), it is split back into the two rows of the rule table.
static void splitSineCosine(Function &Copy) {
  for (Instruction &I : make_early_inc_range(instructions(Copy))) {
    auto *Both = dyn_cast<IntrinsicInst>(&I);
    if (!Both || Both->getIntrinsicID() != Intrinsic::sincos)
      continue;
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
  ValueToValueMapTy VMap;
  Function *Copy = CloneFunction(&F, VMap);
  Copy->setName("fluxion.primal." + F.getName());
  Copy->setLinkage(GlobalValue::InternalLinkage);
  Copy->setCallingConv(CallingConv::C);
  Copy->removeFnAttr(Attribute::OptimizeNone);
  Copy->removeFnAttr(Attribute::NoInline);

  inlineSmallCallees(*Copy, F);
  removeUnwinding(*Copy);
  splitSineCosine(*Copy);
  if (Copy->getParent()->getTargetTriple().isNVPTX()) {
    hoistSpecialRegisterReads(*Copy);
    lowerBitMoves(*Copy);
  }
  simplify(*Copy);
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
}

} // namespace fluxion
