//===- BuiltinCall.cpp - Parsing and lowering of __ad_* builtin calls -----===//

#include "BuiltinCall.h"

#include "ActivityAnalysis.h"
#include "Diagnostics.h"
#include "Synthesizer.h"

#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/Module.h"
#include "llvm/Transforms/Utils/Local.h"

using namespace llvm;

namespace fluxion {
namespace {

enum class Marker { Const, Dup, DupNoNeed, Out, Width, TapeArena };

std::optional<Marker> markerNamed(StringRef Name) {
  Name.consume_front("ad_") || Name.consume_front("enzyme_");
  return StringSwitch<std::optional<Marker>>(Name)
      .Case("const", Marker::Const)
      .Case("dup", Marker::Dup)
      .Case("dupnoneed", Marker::DupNoNeed)
      .Case("out", Marker::Out)
      .Case("width", Marker::Width)
      .Case("tape_arena", Marker::TapeArena)
      .Default(std::nullopt);
}

bool hasMarkerPrefix(StringRef Name) {
  return Name.starts_with("ad_") || Name.starts_with("enzyme_");
}

/// The marker a builtin argument stands for: a load of a marker global (how
/// `int enzyme_dup;` is passed by value) or the global's address.
std::optional<Marker> markerOf(const Value *V) {
  if (const auto *LI = dyn_cast<LoadInst>(V))
    V = LI->getPointerOperand();
  const auto *GV = dyn_cast<GlobalVariable>(V->stripPointerCasts());
  if (!GV || !hasMarkerPrefix(GV->getName()))
    return std::nullopt;
  return markerNamed(GV->getName());
}

/// The value last stored to \p Slot before \p Load: the nearest store on the
/// straight-line path leading to it, else the slot's only store.
Value *storedBefore(LoadInst &Load, AllocaInst &Slot) {
  BasicBlock::iterator It = Load.getIterator();
  BasicBlock *BB = Load.getParent();
  SmallPtrSet<BasicBlock *, 8> Visited;
  while (BB && Visited.insert(BB).second) {
    while (It != BB->begin()) {
      --It;
      if (auto *SI = dyn_cast<StoreInst>(&*It);
          SI && SI->getPointerOperand()->stripPointerCasts() == &Slot)
        return SI->getValueOperand();
      if (auto *Call = dyn_cast<CallBase>(&*It);
          Call && is_contained(Call->args(), &Slot))
        return nullptr;
    }
    BB = BB->getSinglePredecessor();
    if (BB)
      It = BB->end();
  }
  StoreInst *OnlyStore = nullptr;
  for (User *U : Slot.users())
    if (auto *SI = dyn_cast<StoreInst>(U)) {
      if (OnlyStore || SI->getPointerOperand() != &Slot)
        return nullptr;
      OnlyStore = SI;
    }
  return OnlyStore ? OnlyStore->getValueOperand() : nullptr;
}

/// The function a builtin's first argument names: a function, a cast or alias
/// of one, or, as clang emits it at -O0, a local variable holding one, a call
/// returning one (a lambda's conversion to a function pointer), or a
/// parameter to which every caller passes the same one.
Function *resolveFunction(Value *V, unsigned Depth = 0) {
  if (!V || Depth > 8)
    return nullptr;
  V = V->stripPointerCasts();
  if (auto *F = dyn_cast<Function>(V))
    return F;
  if (auto *GA = dyn_cast<GlobalAlias>(V))
    return resolveFunction(GA->getAliasee(), Depth + 1);
  if (auto *LI = dyn_cast<LoadInst>(V)) {
    auto *Slot =
        dyn_cast<AllocaInst>(LI->getPointerOperand()->stripPointerCasts());
    return Slot ? resolveFunction(storedBefore(*LI, *Slot), Depth + 1)
                : nullptr;
  }
  // A parameter of a function only this module calls: the function every
  // call site passes, if they agree.
  if (auto *A = dyn_cast<Argument>(V)) {
    if (!A->getParent()->hasLocalLinkage())
      return nullptr;
    Function *Resolved = nullptr;
    for (User *U : A->getParent()->users()) {
      auto *Site = dyn_cast<CallBase>(U);
      if (!Site || Site->getCalledOperand() != A->getParent() ||
          Site->arg_size() <= A->getArgNo())
        return nullptr;
      Function *F =
          resolveFunction(Site->getArgOperand(A->getArgNo()), Depth + 1);
      if (!F || (Resolved && Resolved != F))
        return nullptr;
      Resolved = F;
    }
    return Resolved;
  }
  if (auto *Call = dyn_cast<CallBase>(V)) {
    Function *Callee = Call->getCalledFunction();
    if (!Callee || Callee->isDeclaration())
      return nullptr;
    Function *Returned = nullptr;
    for (BasicBlock &BB : *Callee)
      if (auto *Ret = dyn_cast<ReturnInst>(BB.getTerminator())) {
        Function *F = resolveFunction(Ret->getReturnValue(), Depth + 1);
        if (!F || (Returned && Returned != F))
          return nullptr;
        Returned = F;
      }
    return Returned;
  }
  return nullptr;
}

std::string typeName(Type *Ty) {
  std::string Text;
  raw_string_ostream OS(Text);
  Ty->print(OS);
  return Text;
}

/// Converts a builtin argument to the parameter type; C's default argument
/// promotions turn float into double and narrow integers into int.
Value *convertArgument(IRBuilderBase &B, Value *V, Type *To) {
  Type *From = V->getType();
  if (From == To)
    return V;
  if (From->isFloatingPointTy() && To->isFloatingPointTy())
    return B.CreateFPCast(V, To);
  if (From->isIntegerTy() && To->isIntegerTy())
    return B.CreateSExtOrTrunc(V, To);
  if (From->isPointerTy() && To->isPointerTy())
    return B.CreatePointerBitCastOrAddrSpaceCast(V, To);
  return nullptr;
}

class BuiltinLowering {
public:
  BuiltinLowering(CallBase &Call, BuiltinKind Kind, Synthesizer &S)
      : Call(Call), Kind(Kind),
        Mode(Kind == BuiltinKind::Forward ? DiffMode::Forward
                                          : DiffMode::Reverse),
        S(S), B(&Call) {}

  void run();

private:
  bool parse();
  bool fail(const Twine &Msg) {
    reportError(Call, Msg);
    return false;
  }
  /// The derivative's result (null when it returns nothing), or nullopt
  /// after an error.
  std::optional<Value *> derivativeCall();
  /// __ad_augmented and __ad_reverse: one sweep of the reverse pair, with
  /// the tape on the heap between them.
  std::optional<Value *> splitSweep();
  /// __ad_tape_bytes and __ad_tape_reserved.
  std::optional<Value *> tapeQuery();
  Value *toCallResult(Value *Result);
  void replaceWith(Value *Result);

  CallBase &Call;
  BuiltinKind Kind;
  DiffMode Mode;
  Synthesizer &S;
  IRBuilder<> B;
  StringRef Builtin;
  unsigned FirstArg = 0;
  DiffRequest Request;
  SmallVector<Value *, 8> Args;
  /// __ad_reverse: the adjoint of the result (if floating) and the tape.
  Value *ResultAdjoint = nullptr;
  Value *Tape = nullptr;
  /// ad_tape_arena: the thread's slice of a tape arena and its bytes.
  Value *ArenaSlice = nullptr;
  Value *ArenaBytes = nullptr;
};

bool BuiltinLowering::parse() {
  // Template declarations mangle the name; messages use the spelling.
  Builtin = Call.getCalledOperand()->getName();
  for (StringRef Spelling :
       {"__enzyme_autodiff", "__enzyme_fwddiff", "__ad_autodiff",
        "__ad_fwddiff", "__ad_augmented", "__ad_reverse", "__ad_tape_bytes",
        "__ad_tape_reserved"})
    if (Builtin.contains(Spelling))
      Builtin = Spelling;
  // A struct returned through memory arrives as a leading sret pointer.
  FirstArg = Call.hasStructRetAttr() ? 1 : 0;
  unsigned NumArgs = Call.arg_size();
  if (NumArgs <= FirstArg)
    return fail(Twine(Builtin) + " needs the function to differentiate as "
                                 "its first argument");
  Function *Fn = resolveFunction(Call.getArgOperand(FirstArg));
  if (!Fn)
    return fail("the first argument of " + Builtin +
                " must be a function known at compile time, not a function "
                "pointer computed at run time");
  if (Fn->isDeclaration())
    return fail("cannot differentiate '" + Fn->getName() +
                "': its body is not available in this translation unit");
  if (Fn->isVarArg())
    return fail("cannot differentiate variadic function '" + Fn->getName() +
                "'");
  Request.Fn = Fn;
  Request.Mode = Mode;
  Type *RetTy = Fn->getReturnType();
  Request.ReturnActive = isDifferentiableType(RetTy);

  unsigned Idx = FirstArg + 1;
  if (Idx < NumArgs && markerOf(Call.getArgOperand(Idx)) == Marker::Width) {
    if (Kind != BuiltinKind::Forward)
      return fail("vector mode (ad_width) is only available in forward mode");
    auto *Width = Idx + 1 < NumArgs
                      ? dyn_cast<ConstantInt>(Call.getArgOperand(Idx + 1))
                      : nullptr;
    if (!Width || Width->isZero() || Width->getZExtValue() > 64)
      return fail("ad_width must be followed by a constant between 1 and 64");
    Request.Width = Width->getZExtValue();
    Idx += 2;
  }
  if (Idx < NumArgs && markerOf(Call.getArgOperand(Idx)) == Marker::TapeArena) {
    if (Kind != BuiltinKind::Gradient)
      return fail("ad_tape_arena is only available in __ad_autodiff (the "
                  "combined gradient), not in " +
                  Builtin);
    if (!Call.getModule()->getTargetTriple().isNVPTX())
      return fail("ad_tape_arena is only available in GPU device code");
    if (Idx + 2 >= NumArgs)
      return fail("ad_tape_arena must be followed by the thread's slice of "
                  "the arena and its size in bytes");
    ArenaSlice = Call.getArgOperand(Idx + 1);
    ArenaBytes =
        convertArgument(B, Call.getArgOperand(Idx + 2), B.getInt64Ty());
    if (!ArenaSlice->getType()->isPointerTy() || !ArenaBytes)
      return fail("ad_tape_arena must be followed by a pointer and an integer "
                  "byte count");
    ArenaSlice =
        B.CreatePointerBitCastOrAddrSpaceCast(ArenaSlice, B.getPtrTy());
    Idx += 3;
  }
  for (Argument &Param : Fn->args()) {
    unsigned ParamNo = Param.getArgNo() + 1;
    if (Idx >= NumArgs)
      return fail("too few arguments to " + Builtin + ": '" + Fn->getName() +
                  "' takes " + Twine(Fn->arg_size()) +
                  " parameters, no value given for parameter " +
                  Twine(ParamNo));
    Type *Ty = Param.getType();
    std::optional<Marker> M = markerOf(Call.getArgOperand(Idx));
    ArgActivity Activity;
    if (M) {
      if (++Idx >= NumArgs)
        return fail("activity marker for parameter " + Twine(ParamNo) +
                    " of '" + Fn->getName() + "' is not followed by a value");
      if (*M == Marker::Width || *M == Marker::TapeArena)
        return fail(Twine(*M == Marker::Width ? "ad_width" : "ad_tape_arena") +
                    " must come before the first argument");
      Activity = *M == Marker::Const       ? ArgActivity::Const
                 : *M == Marker::Dup       ? ArgActivity::Dup
                 : *M == Marker::DupNoNeed ? ArgActivity::DupNoNeed
                                           : ArgActivity::Out;
    } else if (Ty->isPointerTy()) {
      Activity = ArgActivity::Dup;
    } else if (isDifferentiableType(Ty)) {
      Activity =
          Mode == DiffMode::Reverse ? ArgActivity::Out : ArgActivity::Dup;
    } else {
      Activity = ArgActivity::Const;
    }
    if (Activity == ArgActivity::Out && Mode == DiffMode::Forward)
      return fail("parameter " + Twine(ParamNo) + " of '" + Fn->getName() +
                  "' is marked out, which is only valid in reverse mode; "
                  "use dup to pass a tangent");
    if (Activity == ArgActivity::Out && !isDifferentiableType(Ty))
      return fail("parameter " + Twine(ParamNo) + " of '" + Fn->getName() +
                  "' is marked out but has type " + typeName(Ty) +
                  "; out needs a floating-point value");
    if (hasShadowArg(Activity) && !Ty->isPointerTy() &&
        (Mode == DiffMode::Reverse || !isDifferentiableType(Ty)))
      return fail("parameter " + Twine(ParamNo) + " of '" + Fn->getName() +
                  "' has type " + typeName(Ty) + " and cannot be marked dup" +
                  (Mode == DiffMode::Reverse
                       ? "; pass active scalars as out in reverse mode"
                       : ""));
    Request.Args.push_back(Activity);

    if (hasShadowArg(Activity) && !tangentType(Ty, Request.Width))
      return fail("parameter " + Twine(ParamNo) + " of '" + Fn->getName() +
                  "' has type " + typeName(Ty) +
                  ", which vector mode does not support yet");
    unsigned Copies = hasShadowArg(Activity) ? 1 + Request.Width : 1;
    Value *Lanes = nullptr;
    for (unsigned Copy = 0; Copy < Copies; ++Copy, ++Idx) {
      if (Idx >= NumArgs)
        return fail("missing shadow for parameter " + Twine(ParamNo) + " of '" +
                    Fn->getName() + "'");
      Value *Given = Call.getArgOperand(Idx);
      if (markerOf(Given))
        return fail("activity marker given where the " +
                    Twine(Copy ? "shadow" : "value") + " of parameter " +
                    Twine(ParamNo) + " of '" + Fn->getName() +
                    "' was expected");
      Value *Converted = convertArgument(B, Given, Ty);
      if (!Converted)
        return fail("argument " + Twine(Idx - FirstArg) + " of " + Builtin +
                    " has type " + typeName(Given->getType()) +
                    " but parameter " + Twine(ParamNo) + " of '" +
                    Fn->getName() + "' has type " + typeName(Ty));
      // In vector mode the shadows travel as one vector.
      if (Copy == 0 || Request.Width == 1) {
        Args.push_back(Converted);
        continue;
      }
      if (!Lanes)
        Lanes = PoisonValue::get(tangentType(Ty, Request.Width));
      Lanes = B.CreateInsertElement(Lanes, Converted, Copy - 1);
    }
    if (Lanes)
      Args.push_back(Lanes);
  }
  if (Kind == BuiltinKind::Reverse) {
    unsigned Trailing = Request.ReturnActive ? 2 : 1;
    if (NumArgs - Idx != Trailing)
      return fail(
          Twine(Builtin) + " takes the arguments of '" + Fn->getName() +
          "', then " +
          (Request.ReturnActive ? "the adjoint of its result and " : "") +
          "the tape");
    if (Request.ReturnActive)
      ResultAdjoint = convertArgument(B, Call.getArgOperand(Idx++), RetTy);
    Tape = Call.getArgOperand(Idx++);
    if (!Tape->getType()->isPointerTy() ||
        (Request.ReturnActive && !ResultAdjoint))
      return fail(Twine(Builtin) + ": expected " +
                  (Request.ReturnActive ? "a floating adjoint and " : "") +
                  "a tape pointer after the arguments of '" + Fn->getName() +
                  "'");
  }
  if (Idx != NumArgs)
    return fail("too many arguments to " + Builtin + ": '" + Fn->getName() +
                "' takes " + Twine(Fn->arg_size()) + " parameters");
  return true;
}

std::optional<Value *> BuiltinLowering::derivativeCall() {
  if (Mode == DiffMode::Forward) {
    Function *Fwd = S.forward(Request);
    if (!Fwd)
      return std::nullopt;
    CallInst *Result = B.CreateCall(Fwd, Args);
    if (!Request.ReturnActive)
      return nullptr;
    return B.CreateExtractValue(Result, 1);
  }
  if (Kind == BuiltinKind::Augmented || Kind == BuiltinKind::Reverse)
    return splitSweep();
  if (Kind == BuiltinKind::TapeBytes || Kind == BuiltinKind::TapeReserved)
    return tapeQuery();
  Function *Grad = S.gradient(Request, ArenaSlice);
  if (!Grad)
    return std::nullopt;
  if (ArenaSlice)
    Args.insert(Args.begin(), {ArenaSlice, ArenaBytes});
  if (Request.ReturnActive)
    Args.push_back(ConstantFP::get(Request.Fn->getReturnType(), 1.0));
  return B.CreateCall(Grad, Args);
}

std::optional<Value *> BuiltinLowering::tapeQuery() {
  if (Kind == BuiltinKind::TapeReserved) {
    const ReverseFunctions *Fns = S.combinedReverse(Request);
    if (!Fns)
      return std::nullopt;
    return B.getInt64(!Fns->ArenaBytes                 ? 0
                      : isa<Constant>(Fns->ArenaBytes) ? 2
                                                       : 1);
  }
  Function *Bytes = S.tapeBytes(Request);
  if (!Bytes)
    return std::nullopt;
  SmallVector<Value *, 8> SizeArgs{Constant::getNullValue(B.getPtrTy())};
  append_range(SizeArgs, Args);
  return B.CreateCall(Bytes, SizeArgs);
}

std::optional<Value *> BuiltinLowering::splitSweep() {
  const ReverseFunctions *Fns = S.reverse(Request);
  if (!Fns)
    return std::nullopt;
  Module &M = *Call.getModule();
  if (Kind == BuiltinKind::Augmented) {
    FunctionCallee Malloc =
        M.getOrInsertFunction("malloc", B.getPtrTy(), B.getInt64Ty());
    Value *TapeMemory =
        B.CreateCall(Malloc, {B.getInt64(Fns->TapeBytes)}, "tape");
    if (M.getTargetTriple().isNVPTX())
      TapeStackOps::storeArena(B, TapeMemory,
                               Constant::getNullValue(B.getPtrTy()));
    SmallVector<Value *, 8> AugArgs{TapeMemory};
    append_range(AugArgs, Args);
    CallInst *Primal = B.CreateCall(Fns->Augmented, AugArgs);
    if (Primal->getType()->isVoidTy())
      return TapeMemory;
    Value *Pair =
        PoisonValue::get(StructType::get(B.getPtrTy(), Primal->getType()));
    Pair = B.CreateInsertValue(Pair, TapeMemory, 0);
    return B.CreateInsertValue(Pair, Primal, 1);
  }
  SmallVector<Value *, 8> RevArgs{Tape};
  append_range(RevArgs, Args);
  if (ResultAdjoint)
    RevArgs.push_back(ResultAdjoint);
  CallInst *Adjoints = B.CreateCall(Fns->Reverse, RevArgs);
  FunctionCallee Free =
      M.getOrInsertFunction("free", B.getVoidTy(), B.getPtrTy());
  B.CreateCall(Free, {Tape});
  return Adjoints;
}

/// Converts the derivative's result to what the user declared the builtin to
/// return, reinterpreting it through memory as the C ABI coerced it (two
/// floats returned as <2 x float>, say).
Value *BuiltinLowering::toCallResult(Value *Result) {
  Type *Want = Call.getType();
  if (Want->isVoidTy())
    return nullptr;
  if (!Result || Result->getType()->isVoidTy())
    return Constant::getNullValue(Want);
  const DataLayout &Layout = Call.getDataLayout();
  if (Request.Width > 1 && !Call.hasStructRetAttr() &&
      Layout.getTypeStoreSize(Want) <
          Layout.getTypeStoreSize(Result->getType()->getScalarType()) *
              Request.Width) {
    fail(Twine(Builtin) + " in vector mode returns " + Twine(Request.Width) +
         " tangents; declare it to return a struct of them");
    return Constant::getNullValue(Want);
  }
  if (auto *ST = dyn_cast<StructType>(Result->getType());
      ST && ST->getNumElements() == 1 && !Want->isStructTy())
    Result = B.CreateExtractValue(Result, 0);
  if (Result->getType() == Want)
    return Result;
  if (Result->getType()->isFloatingPointTy() && Want->isFloatingPointTy())
    return B.CreateFPCast(Result, Want);
  if (Result->getType()->isIntegerTy() && Want->isIntegerTy())
    return B.CreateZExtOrTrunc(Result, Want);
  uint64_t Size = std::max(Layout.getTypeAllocSize(Result->getType()),
                           Layout.getTypeAllocSize(Want));
  IRBuilder<> EntryB(&*Call.getFunction()->getEntryBlock().begin());
  AllocaInst *Buffer = EntryB.CreateAlloca(ArrayType::get(B.getInt8Ty(), Size),
                                           nullptr, "adjoints");
  Align BufferAlign = std::max(Layout.getABITypeAlign(Result->getType()),
                               Layout.getABITypeAlign(Want));
  Buffer->setAlignment(BufferAlign);
  B.CreateMemSet(Buffer, B.getInt8(0), Size, BufferAlign);
  B.CreateStore(Result, Buffer);
  return B.CreateLoad(Want, Buffer);
}

void BuiltinLowering::replaceWith(Value *Result) {
  SmallSetVector<Instruction *, 8> MarkerLoads;
  for (Value *Op : Call.args())
    if (auto *LI = dyn_cast<LoadInst>(Op); LI && markerOf(LI))
      MarkerLoads.insert(LI);
  if (!Call.getType()->isVoidTy())
    Call.replaceAllUsesWith(Result ? Result
                                   : Constant::getNullValue(Call.getType()));
  Call.eraseFromParent();
  for (Instruction *LI : MarkerLoads)
    if (LI->use_empty())
      LI->eraseFromParent();
}

void BuiltinLowering::run() {
  std::optional<Value *> Result;
  if (parse())
    Result = derivativeCall();
  if (!Result) {
    replaceWith(nullptr);
    return;
  }
  if (Call.hasStructRetAttr()) {
    // The sret slot has the alignment of the user's struct, which may be
    // less than that of a vector of tangents.
    if (*Result && !(*Result)->getType()->isVoidTy())
      B.CreateAlignedStore(*Result, Call.getArgOperand(0),
                           Call.getDataLayout().getABITypeAlign(
                               (*Result)->getType()->getScalarType()));
    replaceWith(nullptr);
    return;
  }
  replaceWith(toCallResult(*Result));
}

} // namespace

std::optional<BuiltinKind> builtinKind(const Function &F) {
  StringRef Name = F.getName();
  if (Name.contains("__ad_autodiff") || Name.contains("__enzyme_autodiff"))
    return BuiltinKind::Gradient;
  if (Name.contains("__ad_fwddiff") || Name.contains("__enzyme_fwddiff"))
    return BuiltinKind::Forward;
  if (Name.contains("__ad_augmented"))
    return BuiltinKind::Augmented;
  if (Name.contains("__ad_reverse"))
    return BuiltinKind::Reverse;
  if (Name.contains("__ad_tape_bytes"))
    return BuiltinKind::TapeBytes;
  if (Name.contains("__ad_tape_reserved"))
    return BuiltinKind::TapeReserved;
  return std::nullopt;
}

bool keepBuiltinCallsApart(Module &M) {
  bool Changed = false;
  for (Function &F : M) {
    if (!F.isDeclaration() || !builtinKind(F) ||
        F.hasFnAttribute(Attribute::NoMerge))
      continue;
    F.addFnAttr(Attribute::NoMerge);
    Changed = true;
  }
  return Changed;
}

Function *differentiatedFunction(CallBase &Call) {
  unsigned FnArg = Call.hasStructRetAttr() ? 1 : 0;
  if (Call.arg_size() <= FnArg)
    return nullptr;
  return resolveFunction(Call.getArgOperand(FnArg));
}

bool isMarkerGlobal(const Value &V) {
  const auto *GV = dyn_cast<GlobalVariable>(&V);
  return GV && hasMarkerPrefix(GV->getName()) &&
         markerNamed(GV->getName()).has_value();
}

void lowerBuiltinCall(CallBase &Call, BuiltinKind Kind, Synthesizer &S) {
  // C++ emits an invoke when a destructor must run on unwinding; the
  // derivative does not throw, so it is called plainly.
  CallBase *Plain = &Call;
  if (auto *II = dyn_cast<InvokeInst>(&Call))
    Plain = changeToCall(II);
  BuiltinLowering(*Plain, Kind, S).run();
}

} // namespace fluxion
