//===- DenseViews.cpp - Memory read and written through functions ---------===//

#include "DenseViews.h"

#include "BuiltinArguments.h"
#include "Diagnostics.h"

#include "llvm/ADT/SetVector.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Module.h"
#include "llvm/Transforms/Utils/BasicBlockUtils.h"
#include "llvm/Transforms/Utils/Cloning.h"
#include "llvm/Transforms/Utils/PromoteMemToReg.h"

#define DEBUG_TYPE "fluxion-dense-views"

using namespace llvm;

namespace fluxion {

namespace {

constexpr StringLiteral ViewMarker = "fluxion.dense.view";
constexpr StringLiteral ViewBase = "fluxion.dense.view.base";

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

/// The pointers computed from a view by address arithmetic and the
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

bool isRecursive(const Function &F) {
  return any_of(instructions(F), [&](const Instruction &I) {
    const auto *Call = dyn_cast<CallBase>(&I);
    return Call && Call->getCalledFunction() == &F;
  });
}

/// Inlines the calls of defined functions that receive a pointer computed
/// from a view, so that their loads and stores through it can be rewritten.
/// A recursive function is left alone, to be reported.
void inlineViewReceivers(Module &M) {
  constexpr unsigned MaxRounds = 16;
  for (unsigned Round = 0; Round < MaxRounds; ++Round) {
    SmallSetVector<CallBase *, 4> Receivers;
    for (CallInst *View : viewsOf(M))
      for (Instruction *I : usesOf(*View).Users)
        if (auto *Call = dyn_cast<CallBase>(I);
            Call && !isa<MemIntrinsic>(Call) && Call->getCalledFunction() &&
            !Call->getCalledFunction()->isDeclaration() &&
            !isRecursive(*Call->getCalledFunction()))
          Receivers.insert(Call);
    if (Receivers.empty())
      return;
    for (CallBase *Call : Receivers) {
      InlineFunctionInfo IFI;
      InlineFunction(*Call, IFI);
    }
    promoteLocals(M);
  }
}

/// \p V as a value of type \p To, as a variadic argument converts; where
/// \p SameBits, also a value of the same width reinterpreted (a double
/// copied as i64). Null when neither applies.
Value *convert(IRBuilderBase &B, Value *V, Type *To, bool SameBits) {
  if (Value *Converted = convertArgument(B, V, To))
    return Converted;
  Type *From = V->getType();
  if (SameBits && From->getPrimitiveSizeInBits() != 0 &&
      From->getPrimitiveSizeInBits() == To->getPrimitiveSizeInBits())
    return B.CreateBitCast(V, To);
  return nullptr;
}

/// Rewrites the uses of one view: loads and stores through it become calls
/// of its access functions, copies and fills element loops of them.
class ViewLowering {
public:
  ViewLowering(CallInst &View, Instruction &Base,
               SmallVectorImpl<CallInst *> &Accesses)
      : View(View), Base(Base), Load(*cast<Function>(View.getArgOperand(0))),
        Store(*cast<Function>(View.getArgOperand(1))),
        Extra(drop_begin(View.args(), 2)), Accesses(Accesses),
        B(View.getContext()) {}

  /// Reports an error at each use it cannot rewrite; false if there was one.
  bool run();

private:
  bool checkMerges(const ViewUses &Uses);
  Value *offset(Value *Ptr) {
    return B.CreateSub(B.CreatePtrToInt(Ptr, B.getInt64Ty()), &Base, "offset");
  }
  /// Fn(V, Offset, extra arguments...) for Store, Fn(Offset, extra
  /// arguments...) for Load (\p V null).
  CallInst *access(Instruction &At, Function &Fn, Value *V, Value *Offset);
  /// The type the access functions move.
  Type *elementType() const { return Load.getReturnType(); }
  bool lowerLoad(LoadInst &LI);
  bool lowerStore(StoreInst &SI);
  bool lowerMemIntrinsic(MemIntrinsic &MI, bool DestIsView, bool SourceIsView);

  CallInst &View;
  Instruction &Base;
  Function &Load;
  Function &Store;
  SmallVector<Value *, 4> Extra;
  SmallVectorImpl<CallInst *> &Accesses;
  IRBuilder<> B;
};

CallInst *ViewLowering::access(Instruction &At, Function &Fn, Value *V,
                               Value *Offset) {
  SmallVector<Value *, 6> Args;
  if (V)
    Args.push_back(V);
  Args.push_back(Offset);
  append_range(Args, Extra);
  FunctionType *Ty = Fn.getFunctionType();
  if (Ty->getNumParams() != Args.size()) {
    reportError(At, "the access function '" + displayName(Fn) +
                        "' given to __enzyme_todense takes " +
                        Twine(Ty->getNumParams()) + " parameters, expected " +
                        Twine(Args.size()));
    return nullptr;
  }
  for (unsigned Idx = 0; Idx < Args.size(); ++Idx) {
    // Only the value moved may be reinterpreted (a double copied as i64).
    bool SameBits = V && Idx == 0;
    if (!(Args[Idx] = convert(B, Args[Idx], Ty->getParamType(Idx), SameBits))) {
      reportError(At, "parameter " + Twine(Idx + 1) + " of '" +
                          displayName(Fn) +
                          "' does not fit what __enzyme_todense passes");
      return nullptr;
    }
  }
  CallInst *Call = B.CreateCall(&Fn, Args);
  Accesses.push_back(Call);
  return Call;
}

bool ViewLowering::lowerLoad(LoadInst &LI) {
  CallInst *Read = access(LI, Load, nullptr, offset(LI.getPointerOperand()));
  if (!Read)
    return false;
  Value *Loaded = convert(B, Read, LI.getType(), /*SameBits=*/true);
  if (!Loaded) {
    reportError(LI, "'" + displayName(Load) +
                        "' returns a value that does not fit this load");
    return false;
  }
  LI.replaceAllUsesWith(Loaded);
  LI.eraseFromParent();
  return true;
}

bool ViewLowering::lowerStore(StoreInst &SI) {
  if (!access(SI, Store, SI.getValueOperand(), offset(SI.getPointerOperand())))
    return false;
  SI.eraseFromParent();
  return true;
}

/// A fill or copy of whole elements: one access per element, in a loop
/// (the optimizer turns element loops through a view into memset and
/// memcpy).
bool ViewLowering::lowerMemIntrinsic(MemIntrinsic &MI, bool DestIsView,
                                     bool SourceIsView) {
  Type *Elem = elementType();
  const DataLayout &DL = MI.getDataLayout();
  uint64_t Bytes = DL.getTypeStoreSize(Elem);
  auto *Fill = dyn_cast<MemSetInst>(&MI);
  auto *Zero = Fill ? dyn_cast<ConstantInt>(Fill->getValue()) : nullptr;
  auto *Length = dyn_cast<ConstantInt>(MI.getLength());
  bool Whole = Length ? Length->getZExtValue() % Bytes == 0 : true;
  if ((Fill && (!Zero || !Zero->isZero())) || !Whole || !Bytes ||
      Elem->isVoidTy()) {
    reportError(MI, "a pointer returned by __enzyme_todense is filled or "
                    "copied here other than with whole elements of zero or "
                    "data");
    return false;
  }
  B.SetInsertPoint(&MI);
  Value *Count = B.CreateUDiv(
      B.CreateZExtOrTrunc(MI.getLength(), B.getInt64Ty()), B.getInt64(Bytes));
  // The loop runs at least once: skip it for an empty copy.
  Instruction *Then =
      SplitBlockAndInsertIfThen(B.CreateICmpNE(Count, B.getInt64(0)),
                                MI.getIterator(), /*Unreachable=*/false);
  auto [Body, Index] =
      SplitBlockAndInsertSimpleForLoop(Count, Then->getIterator());
  B.SetInsertPoint(Body);
  Value *At = B.CreateMul(Index, B.getInt64(Bytes));
  Value *Dest = B.CreateGEP(B.getInt8Ty(), MI.getDest(), At);
  Value *V = Constant::getNullValue(Elem);
  if (auto *Copy = dyn_cast<MemTransferInst>(&MI)) {
    Value *Source = B.CreateGEP(B.getInt8Ty(), Copy->getSource(), At);
    V = SourceIsView
            ? static_cast<Value *>(access(MI, Load, nullptr, offset(Source)))
            : B.CreateLoad(Elem, Source);
    if (!V)
      return false;
  }
  if (!DestIsView)
    B.CreateStore(V, Dest);
  else if (!access(MI, Store, V, offset(Dest)))
    return false;
  MI.eraseFromParent();
  return true;
}

/// A phi or select that merges a view with other memory would send the
/// other memory's accesses to the view's functions.
bool ViewLowering::checkMerges(const ViewUses &Uses) {
  bool Ok = true;
  for (Instruction *I : Uses.Derived) {
    if (!isa<PHINode, SelectInst>(I))
      continue;
    for (Use &Op : I->operands()) {
      if (isa<SelectInst>(I) && Op.getOperandNo() == 0)
        continue;
      auto *From = dyn_cast<Instruction>(Op.get());
      if (isa<UndefValue, ConstantPointerNull>(Op.get()) || From == &View ||
          Uses.Derived.contains(From))
        continue;
      reportError(*I, "a pointer returned by __enzyme_todense is merged here "
                      "with other memory or another view");
      Ok = false;
      break;
    }
  }
  return Ok;
}

bool ViewLowering::run() {
  ViewUses Uses = usesOf(View);
  bool Ok = checkMerges(Uses);
  for (Instruction *I : Uses.Users) {
    if (I == &Base)
      continue;
    B.SetInsertPoint(I);
    if (auto *LI = dyn_cast<LoadInst>(I)) {
      Ok &= lowerLoad(*LI);
      continue;
    }
    auto FromView = [&](Value *V) {
      return V == &View || Uses.Derived.contains(dyn_cast<Instruction>(V));
    };
    if (auto *SI = dyn_cast<StoreInst>(I);
        SI && !FromView(SI->getValueOperand())) {
      Ok &= lowerStore(*SI);
      continue;
    }
    if (auto *MI = dyn_cast<MemIntrinsic>(I)) {
      auto *Copy = dyn_cast<MemTransferInst>(MI);
      Ok &= lowerMemIntrinsic(*MI, FromView(MI->getDest()),
                              Copy && FromView(Copy->getSource()));
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
  // A view becomes the address of a byte of its own: not null, and the
  // offsets from it are the arithmetic the accesses did.
  auto *BaseObject = new GlobalVariable(
      M, Type::getInt8Ty(M.getContext()), /*isConstant=*/true,
      GlobalValue::PrivateLinkage,
      ConstantInt::get(Type::getInt8Ty(M.getContext()), 0), ViewBase);
  SmallVector<CallInst *, 8> Accesses;
  for (CallInst *View : viewsOf(M)) {
    auto *Base = new PtrToIntInst(View, Type::getInt64Ty(M.getContext()),
                                  "view.address");
    Base->insertAfter(View->getIterator());
    ViewLowering(*View, *Base, Accesses).run();
    for (Instruction *I : usesOf(*View).Derived)
      if (auto *GEP = dyn_cast<GetElementPtrInst>(I))
        GEP->setNoWrapFlags(GEPNoWrapFlags::none());
    View->replaceAllUsesWith(BaseObject);
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
