//===- BuiltinCall.cpp - Parsing and lowering of __ad_* builtin calls -----===//

#include "BuiltinCall.h"

#include "BuiltinArguments.h"
#include "DenseViews.h"
#include "DerivativeRecords.h"
#include "Diagnostics.h"
#include "Synthesizer.h"
#include "Truncation.h"

#include "llvm/ADT/SetVector.h"
#include "llvm/Demangle/Demangle.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/Module.h"
#include "llvm/Transforms/Utils/Local.h"

using namespace llvm;

namespace fluxion {
namespace {

struct BuiltinSpelling {
  StringLiteral Name;
  BuiltinKind Kind;
};

/// Every builtin Fluxion lowers. A declaration whose name starts with one
/// of these is that builtin (`__enzyme_autodiff_f`, `__ad_fwddiff4`: one
/// prototype per use), as Enzyme reads them.
constexpr BuiltinSpelling BuiltinSpellings[] = {
    {"__ad_autodiff", BuiltinKind::Gradient},
    {"__enzyme_autodiff", BuiltinKind::Gradient},
    {"__ad_fwddiff", BuiltinKind::Forward},
    {"__enzyme_fwddiff", BuiltinKind::Forward},
    {"__ad_augmented", BuiltinKind::Augmented},
    {"__enzyme_augmentfwd", BuiltinKind::Augmented},
    {"__ad_reverse", BuiltinKind::Reverse},
    {"__enzyme_reverse", BuiltinKind::Reverse},
    {"__enzyme_augmentsize", BuiltinKind::AugmentedSize},
    {"__enzyme_batch", BuiltinKind::Batch},
    {"__enzyme_iter", BuiltinKind::Iteration},
    {"__enzyme_virtualreverse", BuiltinKind::VirtualReverse},
    {"__enzyme_todense", BuiltinKind::ToDense},
    {"__enzyme_error_estimate", BuiltinKind::ErrorEstimate},
    {"__ad_tape_bytes", BuiltinKind::TapeBytes},
    {"__ad_tape_reserved", BuiltinKind::TapeReserved},
    // Enzyme's type hints for its type analysis; Fluxion's follows the
    // uses of memory instead.
    {"__enzyme_float", BuiltinKind::TypeHint},
    {"__enzyme_double", BuiltinKind::TypeHint},
    {"__enzyme_integer", BuiltinKind::TypeHint},
    {"__enzyme_pointer", BuiltinKind::TypeHint},
    // Mixed-precision experiments (Truncation.h).
    {"__enzyme_truncate_op_func", BuiltinKind::TruncateFunction},
    {"__enzyme_truncate_mem_func", BuiltinKind::TruncateFunction},
    {"__enzyme_truncate_mem_value", BuiltinKind::TruncateValue},
    {"__enzyme_expand_mem_value", BuiltinKind::ExpandValue},
};

/// The name a declaration was given in the source: the base name of a
/// mangled C++ name (a template builtin), else the symbol.
std::string sourceName(const Function &F) {
  // The demangler keeps pointers into the name it parses.
  std::string Name = F.getName().str();
  if (!StringRef(Name).starts_with("_Z"))
    return Name;
  ItaniumPartialDemangler Demangler;
  if (Demangler.partialDemangle(Name.c_str()))
    return Name;
  size_t Size = 0;
  char *Base = Demangler.getFunctionBaseName(nullptr, &Size);
  if (!Base)
    return Name;
  std::string Result(Base);
  std::free(Base);
  return Result;
}

const BuiltinSpelling *spellingOf(StringRef SourceName) {
  for (const BuiltinSpelling &S : BuiltinSpellings)
    if (SourceName.starts_with(S.Name))
      return &S;
  return nullptr;
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

class BuiltinLowering {
public:
  BuiltinLowering(CallBase &Call, BuiltinKind Kind, Synthesizer &S)
      : Call(Call), Kind(Kind), S(S), B(&Call) {}

  void run();

private:
  Error failure(const Twine &Msg) {
    return make_error<StringError>(Msg, inconvertibleErrorCode());
  }
  Expected<Function *> target();
  /// The derivative's result (null when it returns nothing).
  Expected<Value *> derivativeCall();
  Expected<Value *> forwardCall();
  Expected<Value *> gradientCall();
  /// __ad_augmented and __ad_reverse: one sweep of the reverse pair, with
  /// the tape between them on the heap or in the caller's memory.
  Expected<Value *> augmentedCall();
  Expected<Value *> reverseCall();
  /// __ad_tape_bytes, __ad_tape_reserved and __enzyme_augmentsize.
  Expected<Value *> tapeQuery();
  /// __enzyme_batch: the calls it stands for, one per instance.
  Expected<Value *> batchCall(Function &Fn);
  Expected<Value *> toCallResult(Value *Result);
  Error tooSmallResult();
  void replaceWith(Value *Result);

  CallBase &Call;
  BuiltinKind Kind;
  Synthesizer &S;
  IRBuilder<> B;
  std::string Spelling;
  ParsedBuiltin Parsed;
};

Expected<Function *> BuiltinLowering::target() {
  unsigned FnArg = Call.hasStructRetAttr() ? 1 : 0;
  if (Call.arg_size() <= FnArg)
    return failure(Twine(Spelling) + " needs the function to differentiate "
                                     "as its first argument");
  Function *Fn = resolveFunction(Call.getArgOperand(FnArg));
  if (!Fn)
    return failure("the first argument of " + Spelling +
                   " must be a function known at compile time, not a "
                   "function pointer computed at run time");
  if (Fn->isDeclaration())
    return failure("cannot differentiate '" + displayName(*Fn) +
                   "': its body is not available in this translation unit");
  if (Fn->isVarArg())
    return failure("cannot differentiate variadic function '" +
                   displayName(*Fn) + "'");
  return Fn;
}

Expected<Value *> BuiltinLowering::derivativeCall() {
  switch (Kind) {
  case BuiltinKind::Forward:
  case BuiltinKind::ErrorEstimate:
    return forwardCall();
  case BuiltinKind::Gradient:
    return gradientCall();
  case BuiltinKind::Augmented:
    return augmentedCall();
  case BuiltinKind::Reverse:
    return reverseCall();
  case BuiltinKind::AugmentedSize:
  case BuiltinKind::TapeBytes:
  case BuiltinKind::TapeReserved:
    return tapeQuery();
  case BuiltinKind::Batch:
  case BuiltinKind::Iteration:
  case BuiltinKind::TypeHint:
  case BuiltinKind::TruncateFunction:
  case BuiltinKind::TruncateValue:
  case BuiltinKind::ExpandValue:
  case BuiltinKind::VirtualReverse:
  case BuiltinKind::ToDense:
  case BuiltinKind::Unsupported:
    break;
  }
  llvm_unreachable("handled before the arguments are read");
}

/// {First, then the elements of Rest}: Rest's lanes in vector mode, its
/// members when it is a struct.
static Value *prepend(IRBuilderBase &B, Value *First, Value *Rest) {
  SmallVector<Value *, 8> Elements{First};
  Type *RestTy = Rest->getType();
  if (auto *VT = dyn_cast<FixedVectorType>(RestTy))
    for (unsigned Lane = 0; Lane < VT->getNumElements(); ++Lane)
      Elements.push_back(B.CreateExtractElement(Rest, Lane));
  else if (auto *ST = dyn_cast<StructType>(RestTy))
    for (unsigned I = 0; I < ST->getNumElements(); ++I)
      Elements.push_back(B.CreateExtractValue(Rest, I));
  else
    Elements.push_back(Rest);
  SmallVector<Type *, 8> Types;
  for (Value *V : Elements)
    Types.push_back(V->getType());
  Value *Result = PoisonValue::get(StructType::get(B.getContext(), Types));
  for (auto [Index, V] : enumerate(Elements))
    Result = B.CreateInsertValue(Result, V, Index);
  return Result;
}

Expected<Value *> BuiltinLowering::forwardCall() {
  const DiffRequest &Request = Parsed.Request;
  Function *Fwd = S.forward(Request);
  if (!Fwd)
    return nullptr;
  CallInst *Result = B.CreateCall(Fwd, Parsed.Args);
  if (!Request.ReturnActive)
    return Parsed.PrimalReturn ? Result : nullptr;
  Value *Tangent = B.CreateExtractValue(Result, 1);
  if (!Parsed.PrimalReturn)
    return Tangent;
  return prepend(B, B.CreateExtractValue(Result, 0), Tangent);
}

Expected<Value *> BuiltinLowering::gradientCall() {
  const DiffRequest &Request = Parsed.Request;
  Function *Grad = S.gradient(Request, Parsed.ArenaSlice, Parsed.PrimalReturn);
  if (!Grad)
    return nullptr;
  SmallVector<Value *, 8> Args;
  if (Parsed.ArenaSlice)
    Args = {Parsed.ArenaSlice, Parsed.ArenaBytes};
  append_range(Args, Parsed.Args);
  if (Request.ReturnActive)
    Args.push_back(ConstantFP::get(Request.Fn->getReturnType(), 1.0));
  return B.CreateCall(Grad, Args);
}

Expected<Value *> BuiltinLowering::augmentedCall() {
  const ReverseFunctions *Fns = S.reverse(Parsed.Request);
  if (!Fns)
    return nullptr;
  Module &M = *Call.getModule();
  Value *TapeMemory = Parsed.Tape;
  if (Parsed.AllocatedTapeBytes && *Parsed.AllocatedTapeBytes < Fns->TapeBytes)
    return failure("the tape of '" + displayName(*Parsed.Request.Fn) +
                   "' needs " + Twine(Fns->TapeBytes) +
                   " bytes; enzyme_allocated gives " +
                   Twine(*Parsed.AllocatedTapeBytes));
  if (!Parsed.AllocatedTapeBytes) {
    TapeMemory = S.stacks().allocate(B, B.getInt64(Fns->TapeBytes), "tape");
    // enzyme_tape without a size: the caller's memory keeps the pointer.
    if (Parsed.TapeInCallerMemory)
      B.CreateStore(TapeMemory, Parsed.Tape);
  }
  if (M.getTargetTriple().isNVPTX())
    TapeStackOps::storeArena(B, TapeMemory,
                             Constant::getNullValue(B.getPtrTy()));
  SmallVector<Value *, 8> AugArgs{TapeMemory};
  append_range(AugArgs, Parsed.Args);
  CallInst *Primal = B.CreateCall(Fns->Augmented, AugArgs);
  bool ReturnsPrimal = !Primal->getType()->isVoidTy() && !Parsed.NoPrimalReturn;
  if (Parsed.TapeInCallerMemory)
    return ReturnsPrimal ? Primal : nullptr;
  if (!ReturnsPrimal)
    return TapeMemory;
  return prepend(B, TapeMemory, Primal);
}

Expected<Value *> BuiltinLowering::reverseCall() {
  const ReverseFunctions *Fns = S.reverse(Parsed.Request);
  if (!Fns)
    return nullptr;
  Value *TapeMemory = Parsed.Tape;
  bool HeapTape = !Parsed.AllocatedTapeBytes;
  if (Parsed.AllocatedTapeBytes && *Parsed.AllocatedTapeBytes < Fns->TapeBytes)
    return failure("the tape of '" + displayName(*Parsed.Request.Fn) +
                   "' needs " + Twine(Fns->TapeBytes) +
                   " bytes; enzyme_allocated gives " +
                   Twine(*Parsed.AllocatedTapeBytes));
  if (Parsed.TapeInCallerMemory && HeapTape)
    TapeMemory = B.CreateLoad(B.getPtrTy(), Parsed.Tape, "tape");
  SmallVector<Value *, 8> RevArgs{TapeMemory};
  append_range(RevArgs, Parsed.Args);
  if (Parsed.ResultAdjoint)
    RevArgs.push_back(Parsed.ResultAdjoint);
  CallInst *Adjoints = B.CreateCall(Fns->Reverse, RevArgs);
  if (HeapTape && Parsed.FreeTape) {
    FunctionCallee Free = Call.getModule()->getOrInsertFunction(
        "free", B.getVoidTy(), B.getPtrTy());
    B.CreateCall(Free, {TapeMemory});
  }
  return Adjoints;
}

Expected<Value *> BuiltinLowering::tapeQuery() {
  const DiffRequest &Request = Parsed.Request;
  if (Kind == BuiltinKind::AugmentedSize) {
    const ReverseFunctions *Fns = S.reverse(Request);
    if (!Fns)
      return nullptr;
    return B.getInt64(Fns->TapeBytes);
  }
  if (Kind == BuiltinKind::TapeReserved) {
    const ReverseFunctions *Fns = S.combinedReverse(Request);
    if (!Fns)
      return nullptr;
    return B.getInt64(!Fns->ArenaBytes                 ? 0
                      : isa<Constant>(Fns->ArenaBytes) ? 2
                                                       : 1);
  }
  Function *Bytes = S.tapeBytes(Request);
  if (!Bytes)
    return nullptr;
  SmallVector<Value *, 8> SizeArgs{Constant::getNullValue(B.getPtrTy())};
  append_range(SizeArgs, Parsed.Args);
  return B.CreateCall(Bytes, SizeArgs);
}

Expected<Value *> BuiltinLowering::batchCall(Function &Fn) {
  Expected<BatchArguments> Batch = parseBatchArguments(Call, Spelling, Fn, B);
  if (!Batch)
    return Batch.takeError();
  Type *ResultTy = Fn.getReturnType();
  Value *Results =
      ResultTy->isVoidTy()
          ? nullptr
          : PoisonValue::get(ArrayType::get(ResultTy, Batch->Width));
  for (auto [Lane, Args] : enumerate(Batch->PerCall)) {
    CallInst *Instance = B.CreateCall(&Fn, Args);
    if (Results)
      Results = B.CreateInsertValue(Results, Instance, Lane);
  }
  return Results;
}

/// What a builtin's result holds, for messages.
static std::string describeResult(BuiltinKind Kind, const ParsedBuiltin &P) {
  const DiffRequest &Request = P.Request;
  std::string Primal = P.PrimalReturn ? " and the result" : "";
  if (Kind == BuiltinKind::Forward && Request.Width > 1)
    return "in vector mode returns " + std::to_string(Request.Width) +
           " tangents" + Primal;
  if (Kind != BuiltinKind::Gradient && Kind != BuiltinKind::Reverse)
    return "returns more values";
  unsigned Outs = count(Request.Args, ArgActivity::Out);
  return (Outs == 1 ? std::string("returns the adjoint of 1 out parameter")
                    : "returns the adjoints of " + std::to_string(Outs) +
                          " out parameters") +
         Primal;
}

Error BuiltinLowering::tooSmallResult() {
  return failure(Twine(Spelling) + " " + describeResult(Kind, Parsed) +
                 "; declare it to return a struct of them");
}

/// Converts the derivative's result to what the user declared the builtin to
/// return, reinterpreting it through memory as the C ABI coerced it (two
/// floats returned as <2 x float>, say).
/// \p Result with the vectors among its members made arrays: a struct of
/// two floats passed as <2 x float> sits 4-byte aligned in the user's
/// struct of adjoints, where the vector would be 8-byte aligned.
static Value *withArrayMembers(IRBuilderBase &B, Value *Result) {
  auto *ST = dyn_cast<StructType>(Result->getType());
  if (!ST || none_of(ST->elements(),
                     [](Type *Ty) { return isa<FixedVectorType>(Ty); }))
    return Result;
  SmallVector<Type *, 4> Members;
  for (Type *Ty : ST->elements())
    if (auto *VT = dyn_cast<FixedVectorType>(Ty))
      Members.push_back(
          ArrayType::get(VT->getElementType(), VT->getNumElements()));
    else
      Members.push_back(Ty);
  Value *Arranged = PoisonValue::get(StructType::get(B.getContext(), Members));
  for (unsigned I = 0; I < ST->getNumElements(); ++I) {
    Value *Member = B.CreateExtractValue(Result, I);
    if (auto *VT = dyn_cast<FixedVectorType>(Member->getType())) {
      Value *Lanes = PoisonValue::get(Members[I]);
      for (unsigned Lane = 0; Lane < VT->getNumElements(); ++Lane)
        Lanes = B.CreateInsertValue(Lanes, B.CreateExtractElement(Member, Lane),
                                    Lane);
      Member = Lanes;
    }
    Arranged = B.CreateInsertValue(Arranged, Member, I);
  }
  return Arranged;
}

Expected<Value *> BuiltinLowering::toCallResult(Value *Result) {
  bool Discarded = !Result || Result->getType()->isVoidTy();
  const DataLayout &Layout = Call.getDataLayout();
  if (!Discarded)
    Result = withArrayMembers(B, Result);
  if (Call.hasStructRetAttr()) {
    if (Discarded)
      return nullptr;
    Type *Slot = Call.getParamStructRetType(0);
    if (Layout.getTypeStoreSize(Slot) <
        Layout.getTypeStoreSize(Result->getType()))
      return tooSmallResult();
    // The sret slot has the alignment of the user's struct, which may be
    // less than that of a vector of tangents.
    B.CreateAlignedStore(
        Result, Call.getArgOperand(0),
        Layout.getABITypeAlign(Result->getType()->getScalarType()));
    return nullptr;
  }
  Type *Want = Call.getType();
  if (Want->isVoidTy()) {
    if (!Discarded &&
        (Kind == BuiltinKind::Gradient || Kind == BuiltinKind::Reverse))
      reportWarning(Call, Twine(Spelling) +
                              " is declared to return void and discards what "
                              "it computes: it " +
                              describeResult(Kind, Parsed) +
                              "; mark parameters whose adjoint you do not "
                              "need const");
    return nullptr;
  }
  if (Discarded)
    return Constant::getNullValue(Want);
  if (auto *ST = dyn_cast<StructType>(Result->getType());
      ST && ST->getNumElements() == 1 && !Want->isStructTy())
    Result = B.CreateExtractValue(Result, 0);
  if (Result->getType() == Want)
    return Result;
  if (Result->getType()->isFloatingPointTy() && Want->isFloatingPointTy())
    return B.CreateFPCast(Result, Want);
  if (Result->getType()->isIntegerTy() && Want->isIntegerTy())
    return B.CreateZExtOrTrunc(Result, Want);
  if (Layout.getTypeStoreSize(Want) <
      Layout.getTypeStoreSize(Result->getType()))
    return tooSmallResult();
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
    if (auto *LI = dyn_cast<LoadInst>(Op); LI && markerArgument(*LI))
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
  Spelling = builtinSpelling(*cast<Function>(Call.getCalledOperand()));
  if (Kind == BuiltinKind::TypeHint)
    return replaceWith(nullptr);
  if (Kind == BuiltinKind::Iteration) {
    if (Call.arg_size() != 2 || !Call.getType()->isIntegerTy() ||
        !Call.getArgOperand(0)->getType()->isIntegerTy()) {
      reportError(Call, Spelling + " takes two integers, the count and its "
                                   "step per derivative, and returns one");
      return replaceWith(nullptr);
    }
    return replaceWith(
        B.CreateSExtOrTrunc(Call.getArgOperand(0), Call.getType()));
  }
  if (Kind == BuiltinKind::Unsupported) {
    reportError(Call, "'" + Spelling + "' is not supported by Fluxion");
    return replaceWith(nullptr);
  }
  if (isTruncationBuiltin(Kind)) {
    Expected<Value *> Result = lowerTruncationBuiltin(Call, Kind, Spelling);
    if (!Result) {
      reportError(Call, toString(Result.takeError()));
      return replaceWith(nullptr);
    }
    return replaceWith(*Result);
  }
  if (Kind == BuiltinKind::ToDense) {
    Expected<Value *> View = lowerToDense(Call);
    if (!View) {
      reportError(Call, toString(View.takeError()));
      return replaceWith(nullptr);
    }
    return replaceWith(*View);
  }
  if (Kind == BuiltinKind::VirtualReverse) {
    Expected<Constant *> Record = lowerVirtualReverse(Call, S);
    if (!Record) {
      reportError(Call, toString(Record.takeError()));
      return replaceWith(nullptr);
    }
    return replaceWith(*Record);
  }
  auto Lowered = [&]() -> Expected<Value *> {
    Expected<Function *> Fn = target();
    if (!Fn)
      return Fn.takeError();
    if (Kind == BuiltinKind::Batch) {
      Expected<Value *> Results = batchCall(**Fn);
      if (!Results)
        return Results.takeError();
      return toCallResult(*Results);
    }
    Expected<ParsedBuiltin> Read =
        parseBuiltinArguments(Call, Kind, Spelling, **Fn, B);
    if (!Read)
      return Read.takeError();
    Parsed = std::move(*Read);
    Expected<Value *> Result = derivativeCall();
    if (!Result)
      return Result.takeError();
    return toCallResult(*Result);
  }();
  if (!Lowered) {
    reportError(Call, toString(Lowered.takeError()));
    return replaceWith(nullptr);
  }
  replaceWith(*Lowered);
}

} // namespace

std::optional<BuiltinKind> builtinKind(const Function &F) {
  std::string Name = sourceName(F);
  if (const BuiltinSpelling *S = spellingOf(Name))
    return S->Kind;
  if (StringRef(Name).starts_with("__enzyme_") ||
      StringRef(Name).starts_with("__ad_"))
    return BuiltinKind::Unsupported;
  return std::nullopt;
}

std::string builtinSpelling(const Function &F) {
  std::string Name = sourceName(F);
  if (const BuiltinSpelling *S = spellingOf(Name))
    return S->Name.str();
  return Name;
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

void lowerBuiltinCall(CallBase &Call, BuiltinKind Kind, Synthesizer &S) {
  // C++ emits an invoke when a destructor must run on unwinding; the
  // derivative does not throw, so it is called plainly.
  CallBase *Plain = &Call;
  if (auto *II = dyn_cast<InvokeInst>(&Call))
    Plain = changeToCall(II);
  BuiltinLowering(*Plain, Kind, S).run();
}

} // namespace fluxion
