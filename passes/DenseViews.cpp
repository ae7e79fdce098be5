//===- DenseViews.cpp - Memory read and written through functions ---------===//

#include "DenseViews.h"

#include "Diagnostics.h"

#include "llvm/ADT/SetVector.h"
#include "llvm/Analysis/ValueTracking.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Operator.h"
#include "llvm/Transforms/Utils/Cloning.h"
#include "llvm/Transforms/Utils/PromoteMemToReg.h"

#define DEBUG_TYPE "fluxion-dense-views"

using namespace llvm;

namespace fluxion {

namespace {

constexpr StringLiteral ViewMarker = "fluxion.dense.view";

Error failure(const Twine &Msg) {
  return make_error<StringError>(Msg, inconvertibleErrorCode());
}

/// The views of \p M: calls of the marker.
SmallVector<CallInst *, 4> viewsOf(Module &M) {
  SmallVector<CallInst *, 4> Views;
  if (Function *Marker = M.getFunction(ViewMarker))
    for (User *U : Marker->users())
      if (auto *Call = dyn_cast<CallInst>(U);
          Call && Call->getCalledOperand() == Marker)
        Views.push_back(Call);
  return Views;
}

/// The pointers computed from \p View by address arithmetic and the
/// instructions that use them otherwise.
struct ViewUses {
  SetVector<Instruction *> Derived;
  SetVector<Instruction *> Users;
};

ViewUses usesOf(CallInst &View) {
  ViewUses Uses;
  SmallVector<Instruction *, 8> Worklist{&View};
  while (!Worklist.empty()) {
    Instruction *P = Worklist.pop_back_val();
    for (User *U : P->users()) {
      auto *I = cast<Instruction>(U);
      bool Arithmetic =
          isa<GetElementPtrInst, PHINode, SelectInst, FreezeInst>(I) ||
          (isa<CastInst>(I) && I->getType()->isPointerTy());
      if (!Arithmetic)
        Uses.Users.insert(I);
      else if (Uses.Derived.insert(I))
        Worklist.push_back(I);
    }
  }
  return Uses;
}

/// Promotes the local variables of the functions that make views to
/// registers: at -O0 a view is kept in one and loaded back where it is used.
void promoteLocals(Module &M) {
  SmallPtrSet<Function *, 4> Makers;
  for (CallInst *View : viewsOf(M))
    Makers.insert(View->getFunction());
  for (Function *F : Makers) {
    SmallVector<AllocaInst *, 8> Promotable;
    for (Instruction &I : instructions(*F))
      if (auto *AI = dyn_cast<AllocaInst>(&I); AI && isAllocaPromotable(AI))
        Promotable.push_back(AI);
    if (Promotable.empty())
      continue;
    DominatorTree DT(*F);
    PromoteMemToReg(Promotable, DT);
  }
}

/// Inlines the calls of defined functions that receive a pointer computed
/// from a view, so that their loads and stores through it can be rewritten.
/// Returns whether it inlined any.
bool inlineViewReceivers(Module &M) {
  bool Changed = false;
  constexpr unsigned MaxRounds = 16;
  for (unsigned Round = 0; Round < MaxRounds; ++Round) {
    SmallSetVector<CallBase *, 4> Receivers;
    for (CallInst *View : viewsOf(M))
      for (Instruction *I : usesOf(*View).Users)
        if (auto *Call = dyn_cast<CallBase>(I);
            Call && Call->getCalledFunction() &&
            !Call->getCalledFunction()->isDeclaration())
          Receivers.insert(Call);
    if (Receivers.empty())
      return Changed;
    for (CallBase *Call : Receivers) {
      InlineFunctionInfo IFI;
      Changed |= InlineFunction(*Call, IFI).isSuccess();
    }
    promoteLocals(M);
  }
  return Changed;
}

/// \p V converted to \p To: the same bits, or the same integer widened or
/// narrowed; null when neither fits.
Value *convert(IRBuilderBase &B, Value *V, Type *To) {
  Type *From = V->getType();
  if (From == To)
    return V;
  if (From->isIntegerTy() && To->isIntegerTy())
    return B.CreateSExtOrTrunc(V, To);
  if (From->getPrimitiveSizeInBits() == To->getPrimitiveSizeInBits() &&
      From->getPrimitiveSizeInBits() != 0)
    return B.CreateBitCast(V, To);
  return nullptr;
}

/// Rewrites the loads and stores through \p View into calls of its access
/// functions, added to \p Accesses, with offsets from \p Base, the view's
/// address. Reports an error at anything else that uses it.
bool rewriteAccesses(CallInst &View, Instruction &Base,
                     SmallVectorImpl<CallInst *> &Accesses) {
  auto *Load = cast<Function>(View.getArgOperand(0));
  auto *Store = cast<Function>(View.getArgOperand(1));
  SmallVector<Value *, 4> Extra(drop_begin(View.args(), 2));
  ViewUses Uses = usesOf(View);
  bool Ok = true;
  IRBuilder<> B(View.getContext());
  auto Call = [&](Instruction &At, Function &Fn,
                  SmallVector<Value *, 6> Args) -> CallInst * {
    FunctionType *Ty = Fn.getFunctionType();
    if (Ty->getNumParams() != Args.size()) {
      reportError(At, "the access function '" + Fn.getName() +
                          "' given to __enzyme_todense takes " +
                          Twine(Ty->getNumParams()) + " parameters, expected " +
                          Twine(Args.size()));
      return nullptr;
    }
    for (unsigned Idx = 0; Idx < Args.size(); ++Idx)
      if (!(Args[Idx] = convert(B, Args[Idx], Ty->getParamType(Idx)))) {
        reportError(At, "parameter " + Twine(Idx + 1) + " of '" + Fn.getName() +
                            "' does not fit what __enzyme_todense passes");
        return nullptr;
      }
    CallInst *Access = B.CreateCall(&Fn, Args);
    Accesses.push_back(Access);
    return Access;
  };
  for (Instruction *I : Uses.Users) {
    if (I == &Base)
      continue;
    B.SetInsertPoint(I);
    auto Offset = [&](Value *Ptr) {
      return B.CreateSub(B.CreatePtrToInt(Ptr, B.getInt64Ty()), &Base,
                         "offset");
    };
    if (auto *LI = dyn_cast<LoadInst>(I)) {
      SmallVector<Value *, 6> Args{Offset(LI->getPointerOperand())};
      append_range(Args, Extra);
      CallInst *Read = Call(*LI, *Load, Args);
      Value *Loaded = Read ? convert(B, Read, LI->getType()) : nullptr;
      if (!Loaded) {
        if (Read)
          reportError(*LI, "'" + Load->getName() +
                               "' returns a value that does not fit this load");
        Ok = false;
        continue;
      }
      LI->replaceAllUsesWith(Loaded);
      LI->eraseFromParent();
      continue;
    }
    if (auto *SI = dyn_cast<StoreInst>(I);
        SI &&
        !Uses.Derived.contains(dyn_cast<Instruction>(SI->getValueOperand())) &&
        SI->getValueOperand() != &View) {
      SmallVector<Value *, 6> Args{SI->getValueOperand(),
                                   Offset(SI->getPointerOperand())};
      append_range(Args, Extra);
      if (!Call(*SI, *Store, Args)) {
        Ok = false;
        continue;
      }
      SI->eraseFromParent();
      continue;
    }
    // Comparisons and integer views of the address read no memory.
    if (isa<ICmpInst, PtrToIntInst>(I))
      continue;
    reportError(*I, "a pointer returned by __enzyme_todense reaches this "
                    "instruction, which neither loads nor stores through it");
    Ok = false;
  }
  return Ok;
}

} // namespace

Expected<Value *> lowerToDense(CallBase &Call) {
  if (Call.arg_size() < 2 || !Call.getType()->isPointerTy())
    return failure("__enzyme_todense takes a load function, a store function "
                   "and their extra arguments, and returns a pointer");
  auto *Load = dyn_cast<Function>(Call.getArgOperand(0)->stripPointerCasts());
  auto *Store = dyn_cast<Function>(Call.getArgOperand(1)->stripPointerCasts());
  if (!Load || !Store)
    return failure("the load and store functions of __enzyme_todense must be "
                   "known at compile time");
  Module &M = *Call.getModule();
  LLVMContext &Ctx = M.getContext();
  FunctionCallee Marker = M.getOrInsertFunction(
      ViewMarker, FunctionType::get(PointerType::getUnqual(Ctx),
                                    {PointerType::getUnqual(Ctx),
                                     PointerType::getUnqual(Ctx)},
                                    /*isVarArg=*/true));
  if (auto *F = dyn_cast<Function>(Marker.getCallee())) {
    F->setDoesNotThrow();
    F->setWillReturn();
    F->setDoesNotAccessMemory();
  }
  SmallVector<Value *, 6> Args{Load, Store};
  append_range(Args, drop_begin(Call.args(), 2));
  IRBuilder<> B(&Call);
  return B.CreateCall(Marker, Args, "dense.view");
}

bool lowerDenseViews(Module &M) {
  if (viewsOf(M).empty())
    return false;
  promoteLocals(M);
  inlineViewReceivers(M);
  SmallVector<CallInst *, 8> Accesses;
  for (CallInst *View : viewsOf(M)) {
    auto *Base = new PtrToIntInst(View, Type::getInt64Ty(M.getContext()),
                                  "view.address");
    Base->insertAfter(View->getIterator());
    if (!rewriteAccesses(*View, *Base, Accesses))
      continue;
    // The offsets are differences from the view's address: from null they
    // are the constant and induction arithmetic the accesses did.
    ViewUses Uses = usesOf(*View);
    for (Instruction *I : Uses.Derived)
      if (auto *GEP = dyn_cast<GetElementPtrInst>(I))
        GEP->setNoWrapFlags(GEPNoWrapFlags::none());
    Base->replaceAllUsesWith(ConstantInt::get(Base->getType(), 0));
    Base->eraseFromParent();
    View->replaceAllUsesWith(Constant::getNullValue(View->getType()));
    View->eraseFromParent();
  }
  for (CallInst *Call : Accesses) {
    if (Call->getCalledFunction()->isDeclaration())
      continue;
    InlineFunctionInfo IFI;
    InlineFunction(*Call, IFI);
  }
  if (Function *Marker = M.getFunction(ViewMarker);
      Marker && Marker->use_empty())
    Marker->eraseFromParent();
  return true;
}

} // namespace fluxion
