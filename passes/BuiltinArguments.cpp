//===- BuiltinArguments.cpp - Markers and arguments of builtin calls ------===//

#include "BuiltinArguments.h"

#include "ActivityAnalysis.h"
#include "Diagnostics.h"
#include "Synthesizer.h"

#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Analysis/ValueTracking.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/Module.h"

using namespace llvm;

namespace fluxion {

/// Marks a parameter that holds part of a struct passed by value; the value
/// is the number of the struct's first parameter.
static constexpr StringLiteral StructPartAttr = "fluxion-struct-part";

/// Marks an integer parameter that carries floating members of a struct
/// (`struct {float a; int k;}` travels as one i64).
static constexpr StringLiteral FloatBitsAttr = "fluxion-float-bits";

namespace {

struct MarkerSpelling {
  StringLiteral Name;
  Marker M;
  /// Whether ad_<Name> spells it too; the split-mode and return options
  /// exist for Enzyme's programs only.
  bool AdSpelling;
};

constexpr MarkerSpelling MarkerSpellings[] = {
    {"const", Marker::Const, true},
    {"dup", Marker::Dup, true},
    {"dupnoneed", Marker::DupNoNeed, true},
    {"out", Marker::Out, true},
    {"width", Marker::Width, true},
    {"tape_arena", Marker::TapeArena, true},
    {"tape", Marker::Tape, false},
    {"allocated", Marker::Allocated, false},
    {"nofree", Marker::NoFree, false},
    {"primal_return", Marker::PrimalReturn, false},
    {"noret", Marker::NoPrimalReturn, false},
    {"const_return", Marker::ConstReturn, false},
    {"active_return", Marker::ActiveReturn, false},
    {"dup_return", Marker::DupReturn, false},
    {"not_overwritten", Marker::NotOverwritten, false},
    {"vector", Marker::Vector, false},
    {"scalar", Marker::Scalar, false},
};

/// What a global's name says as a marker.
struct MarkerName {
  /// Spelled with the enzyme_ or ad_ prefix.
  bool Prefixed = false;
  bool Enzyme = false;
  /// The marker it names, if Fluxion knows it.
  const MarkerSpelling *Known = nullptr;
};

MarkerName markerNamed(StringRef Name) {
  MarkerName Named;
  Named.Enzyme = Name.consume_front("enzyme_");
  Named.Prefixed = Named.Enzyme || Name.consume_front("ad_");
  if (!Named.Prefixed)
    return Named;
  for (const MarkerSpelling &S : MarkerSpellings)
    if (S.Name == Name && (Named.Enzyme || S.AdSpelling))
      Named.Known = &S;
  return Named;
}

/// Enzyme markers whose meaning Fluxion does not implement, with why.
StringRef unsupportedEnzymeMarker(StringRef Name) {
  return StringSwitch<StringRef>(Name)
      .Case("runtime_activity",
            "Fluxion decides activity at compile time; pass arguments whose "
            "shadow is their own value with enzyme_const")
      .Case("strong_zero", "adjoints follow IEEE arithmetic (0 * inf is NaN)")
      .Cases({"dupv", "dupnoneedv", "interleave"},
             "batched arguments are not implemented")
      .Case("byref", "pass the value itself, or a pointer marked enzyme_dup")
      .Default("");
}

const GlobalVariable *markerGlobal(const Value &V) {
  const Value *Address = &V;
  if (const auto *LI = dyn_cast<LoadInst>(Address))
    Address = LI->getPointerOperand();
  return dyn_cast<GlobalVariable>(Address->stripPointerCasts());
}

Error failure(const Twine &Msg) {
  return make_error<StringError>(Msg, inconvertibleErrorCode());
}

/// One argument of the call after the function: a marker or a value.
struct CallArgument {
  Value *V;
  std::optional<Marker> M;
  /// Position among the call's arguments after the function, from 1.
  unsigned Position;
  /// Index among the call's operands.
  unsigned Index;
};

class ArgumentParser {
public:
  ArgumentParser(CallBase &Call, BuiltinKind Kind, StringRef Spelling,
                 Function &Fn, IRBuilderBase &B)
      : Call(Call), Kind(Kind), Spelling(Spelling), Fn(Fn), B(B) {
    Parsed.Request.Fn = &Fn;
    bool Forward =
        Kind == BuiltinKind::Forward || Kind == BuiltinKind::ErrorEstimate;
    Parsed.Request.Mode = Forward ? DiffMode::Forward : DiffMode::Reverse;
    Parsed.Request.ErrorEstimate = Kind == BuiltinKind::ErrorEstimate;
    Parsed.Request.ReturnActive = isDifferentiableType(Fn.getReturnType());
  }

  Expected<ParsedBuiltin> parse();

private:
  DiffMode mode() const { return Parsed.Request.Mode; }
  Error readArguments(unsigned FirstArg);
  Error readOption(Marker M, ArrayRef<CallArgument> &Rest);
  Error checkOptions();
  /// Reads one parameter of the source: one IR parameter, or the scalars
  /// a struct passed by value was split into.
  Error readParameter(ArrayRef<Argument *> Parts, ArrayRef<CallArgument> &Rest);
  Expected<ArgActivity> activityOf(Argument &Param, std::optional<Marker> M);
  /// A struct the variadic call passes in memory (`ptr byval`: the argument
  /// registers ran out) whose callee receives it in registers as \p Parts:
  /// appends the pieces loaded from it to \p Given. False for any other
  /// argument.
  bool readStructInMemory(const CallArgument &Arg, ArrayRef<Argument *> Parts,
                          MutableArrayRef<SmallVector<Value *, 4>> Given);
  Error readReverseTrailer(ArrayRef<CallArgument> &Rest);
  std::string param(const Argument &Param) const {
    return ("parameter " + Twine(Param.getArgNo() + 1) + " of '" +
            displayName(Fn) + "'")
        .str();
  }

  CallBase &Call;
  BuiltinKind Kind;
  StringRef Spelling;
  Function &Fn;
  IRBuilderBase &B;
  ParsedBuiltin Parsed;
  /// The parameters' arguments, options taken out.
  SmallVector<CallArgument, 8> Stream;
  /// Set by enzyme_const_return / enzyme_active_return / enzyme_dup_return.
  std::optional<Marker> ReturnMarker;
  bool SawParameter = false;
};

/// The arguments of \p Call after the function, operand \p FnArg, each a
/// marker or a value.
static Expected<SmallVector<CallArgument, 8>>
callArguments(const CallBase &Call, unsigned FnArg) {
  SmallVector<CallArgument, 8> All;
  for (unsigned Idx = FnArg + 1; Idx < Call.arg_size(); ++Idx) {
    Value *V = Call.getArgOperand(Idx);
    CallArgument Arg{V, std::nullopt, Idx - FnArg, Idx};
    if (std::optional<Expected<Marker>> M = markerArgument(*V)) {
      if (!*M)
        return M->takeError();
      Arg.M = **M;
    }
    All.push_back(Arg);
  }
  return All;
}

Error ArgumentParser::readArguments(unsigned FirstArg) {
  Expected<SmallVector<CallArgument, 8>> All = callArguments(Call, FirstArg);
  if (!All)
    return All.takeError();
  ArrayRef<CallArgument> Rest = *All;
  while (!Rest.empty()) {
    CallArgument Arg = Rest.front();
    bool Option = Arg.M && *Arg.M != Marker::Const && *Arg.M != Marker::Dup &&
                  *Arg.M != Marker::DupNoNeed && *Arg.M != Marker::Out;
    if (!Option) {
      SawParameter |= !Arg.M;
      Stream.push_back(Arg);
      Rest = Rest.drop_front();
      continue;
    }
    Rest = Rest.drop_front();
    if (Error E = readOption(*Arg.M, Rest))
      return E;
  }
  return checkOptions();
}

Error ArgumentParser::readOption(Marker M, ArrayRef<CallArgument> &Rest) {
  auto Operand = [&](StringRef What) -> Expected<Value *> {
    if (Rest.empty() || Rest.front().M)
      return failure(Twine(What) + " must be followed by " +
                     (M == Marker::Width ? "a constant between 1 and 64"
                      : M == Marker::Allocated
                          ? "the constant byte size of the tape memory"
                          : "a value"));
    Value *V = Rest.front().V;
    Rest = Rest.drop_front();
    return V;
  };
  switch (M) {
  case Marker::Width: {
    if (SawParameter)
      return failure("ad_width must come before the first argument");
    if (Kind != BuiltinKind::Forward)
      return failure(
          "vector mode (ad_width) is only available in forward mode");
    Expected<Value *> V = Operand("ad_width");
    if (!V)
      return V.takeError();
    auto *Width = dyn_cast<ConstantInt>(*V);
    if (!Width || Width->isZero() || Width->getZExtValue() > 64)
      return failure("ad_width must be followed by a constant between 1 and "
                     "64");
    Parsed.Request.Width = Width->getZExtValue();
    return Error::success();
  }
  case Marker::TapeArena: {
    if (SawParameter)
      return failure("ad_tape_arena must come before the first argument");
    if (Kind != BuiltinKind::Gradient)
      return failure("ad_tape_arena is only available in __ad_autodiff (the "
                     "combined gradient), not in " +
                     Spelling);
    if (!Call.getModule()->getTargetTriple().isNVPTX())
      return failure("ad_tape_arena is only available in GPU device code");
    if (Rest.size() < 2 || Rest[0].M || Rest[1].M)
      return failure("ad_tape_arena must be followed by the thread's slice "
                     "of the arena and its size in bytes");
    Value *Slice = Rest[0].V;
    Value *Bytes = convertArgument(B, Rest[1].V, B.getInt64Ty());
    Rest = Rest.drop_front(2);
    if (!Slice->getType()->isPointerTy() || !Bytes)
      return failure("ad_tape_arena must be followed by a pointer and an "
                     "integer byte count");
    Parsed.ArenaSlice =
        B.CreatePointerBitCastOrAddrSpaceCast(Slice, B.getPtrTy());
    Parsed.ArenaBytes = Bytes;
    return Error::success();
  }
  case Marker::Tape: {
    Expected<Value *> V = Operand("enzyme_tape");
    if (!V)
      return V.takeError();
    if (!(*V)->getType()->isPointerTy())
      return failure("enzyme_tape must be followed by a pointer to the tape "
                     "memory");
    Parsed.Tape = *V;
    Parsed.TapeInCallerMemory = true;
    return Error::success();
  }
  case Marker::Allocated: {
    Expected<Value *> V = Operand("enzyme_allocated");
    if (!V)
      return V.takeError();
    auto *Bytes = dyn_cast<ConstantInt>(*V);
    if (!Bytes)
      return failure("enzyme_allocated must be followed by the constant byte "
                     "size of the tape memory");
    Parsed.AllocatedTapeBytes = Bytes->getZExtValue();
    return Error::success();
  }
  case Marker::NoFree:
    Parsed.FreeTape = false;
    return Error::success();
  case Marker::PrimalReturn:
    Parsed.PrimalReturn = true;
    return Error::success();
  case Marker::NoPrimalReturn:
    Parsed.NoPrimalReturn = true;
    return Error::success();
  case Marker::ConstReturn:
  case Marker::ActiveReturn:
  case Marker::DupReturn:
    ReturnMarker = M;
    return Error::success();
  case Marker::NotOverwritten:
    // A promise Fluxion does not need: what the reverse sweep reads again
    // is decided by alias analysis.
    return Error::success();
  case Marker::Vector:
  case Marker::Scalar:
    return failure("enzyme_vector and enzyme_scalar belong to __enzyme_batch, "
                   "not to " +
                   Spelling);
  case Marker::Const:
  case Marker::Dup:
  case Marker::DupNoNeed:
  case Marker::Out:
    break;
  }
  llvm_unreachable("activity markers are not options");
}

Error ArgumentParser::checkOptions() {
  bool Split = Kind == BuiltinKind::Augmented || Kind == BuiltinKind::Reverse;
  if ((Parsed.TapeInCallerMemory || Parsed.AllocatedTapeBytes ||
       !Parsed.FreeTape) &&
      !Split)
    return failure(Twine(Spelling) +
                   ": enzyme_tape, enzyme_allocated and enzyme_nofree belong "
                   "to split mode (__enzyme_augmentfwd, __enzyme_reverse)");
  if (Parsed.AllocatedTapeBytes && !Parsed.TapeInCallerMemory)
    return failure("enzyme_allocated needs enzyme_tape: the memory the tape "
                   "is written to");
  if (Parsed.PrimalReturn && Kind != BuiltinKind::Forward &&
      Kind != BuiltinKind::Gradient)
    return failure("enzyme_primal_return is available in __enzyme_fwddiff "
                   "and __enzyme_autodiff, not in " +
                   Spelling);
  if (Parsed.PrimalReturn && Fn.getReturnType()->isVoidTy())
    return failure("enzyme_primal_return asks for the result of '" +
                   displayName(Fn) + "', which returns void");
  if (!ReturnMarker)
    return Error::success();
  Type *RetTy = Fn.getReturnType();
  if (*ReturnMarker == Marker::ConstReturn) {
    Parsed.Request.ReturnActive = false;
    return Error::success();
  }
  if (*ReturnMarker == Marker::ActiveReturn && mode() == DiffMode::Forward)
    return failure("enzyme_active_return is only valid in reverse mode; "
                   "forward mode returns the tangent of a dup return");
  if (!isDifferentiableType(RetTy))
    return failure("the result of '" + displayName(Fn) + "' has type " +
                   sourceTypeName(RetTy) +
                   (RetTy->isPointerTy()
                        ? ", and shadows of returned pointers are not "
                          "implemented"
                        : " and carries no derivative"));
  if (*ReturnMarker == Marker::DupReturn && mode() == DiffMode::Reverse)
    return failure("enzyme_dup_return of the floating result of '" +
                   displayName(Fn) +
                   "' is not implemented in reverse mode; the result is "
                   "active by default");
  Parsed.Request.ReturnActive = true;
  return Error::success();
}

Expected<ArgActivity> ArgumentParser::activityOf(Argument &Param,
                                                 std::optional<Marker> M) {
  Type *Ty = Param.getType();
  if (Param.hasAttribute(FloatBitsAttr))
    return failure(param(Param) +
                   " is a struct whose floating members C passes in an "
                   "integer register; their derivative cannot be followed "
                   "there: pass the struct by pointer");
  ArgActivity Activity;
  if (M)
    Activity = *M == Marker::Const       ? ArgActivity::Const
               : *M == Marker::Dup       ? ArgActivity::Dup
               : *M == Marker::DupNoNeed ? ArgActivity::DupNoNeed
                                         : ArgActivity::Out;
  else if (Ty->isPointerTy())
    Activity = ArgActivity::Dup;
  else if (isDifferentiableType(Ty))
    Activity =
        mode() == DiffMode::Reverse ? ArgActivity::Out : ArgActivity::Dup;
  else
    Activity = ArgActivity::Const;

  if (Activity == ArgActivity::Out && mode() == DiffMode::Forward)
    return failure(param(Param) +
                   " is marked out, which is only valid in reverse mode; "
                   "use dup to pass a tangent");
  if (Activity == ArgActivity::Out && !isDifferentiableType(Ty))
    return failure(param(Param) + " is marked out but has type " +
                   sourceTypeName(Ty) + "; out needs a floating-point value");
  if (hasShadowArg(Activity) && !Ty->isPointerTy() &&
      (mode() == DiffMode::Reverse || !isDifferentiableType(Ty)))
    return failure(param(Param) + " has type " + sourceTypeName(Ty) +
                   " and cannot be marked dup" +
                   (mode() == DiffMode::Reverse
                        ? "; pass active scalars as out in reverse mode"
                        : ""));
  if (hasShadowArg(Activity) && !tangentType(Ty, Parsed.Request.Width))
    return failure(param(Param) + " has type " + sourceTypeName(Ty) +
                   ", which vector mode does not support yet");
  return Activity;
}

bool ArgumentParser::readStructInMemory(
    const CallArgument &Arg, ArrayRef<Argument *> Parts,
    MutableArrayRef<SmallVector<Value *, 4>> Given) {
  // The x86-64 ABI passes a struct in registers one eightbyte per register.
  if (!Call.isByValArgument(Arg.Index) ||
      Call.getModule()->getTargetTriple().getArch() != Triple::x86_64 ||
      any_of(Parts, [](Argument *Part) {
        return Part->getType()->isPointerTy() ||
               Part->hasAttribute(Attribute::ByVal);
      }))
    return false;
  const DataLayout &DL = Call.getDataLayout();
  uint64_t Bytes = DL.getTypeAllocSize(Call.getParamByValType(Arg.Index));
  for (auto [Index, Part] : enumerate(Parts))
    if (8 * Index + DL.getTypeStoreSize(Part->getType()) > Bytes)
      return false;
  Align Memory = Call.getParamAlign(Arg.Index).valueOrOne();
  for (auto [Index, Part, Values] : enumerate(Parts, Given))
    Values.push_back(B.CreateAlignedLoad(
        Part->getType(), B.CreateConstGEP1_64(B.getInt8Ty(), Arg.V, 8 * Index),
        commonAlignment(Memory, 8 * Index)));
  return true;
}

Error ArgumentParser::readParameter(ArrayRef<Argument *> Parts,
                                    ArrayRef<CallArgument> &Rest) {
  Argument &First = *Parts.front();
  if (Rest.empty())
    return failure("too few arguments to " + Spelling + ": '" +
                   displayName(Fn) + "' takes " + Twine(Fn.arg_size()) +
                   " parameters, no value given for parameter " +
                   Twine(First.getArgNo() + 1));
  std::optional<Marker> M = Rest.front().M;
  if (M) {
    Rest = Rest.drop_front();
    if (Rest.empty())
      return failure("activity marker for " + param(First) +
                     " is not followed by a value");
  }
  // A struct passed in registers arrives as its scalars: its integers
  // carry no derivative whatever the struct is marked.
  SmallVector<ArgActivity, 2> Activities;
  for (Argument *Part : Parts) {
    Type *Ty = Part->getType();
    if (Parts.size() > 1 && !Ty->isPointerTy() && !isDifferentiableType(Ty)) {
      Activities.push_back(ArgActivity::Const);
      continue;
    }
    Expected<ArgActivity> Activity = activityOf(*Part, M);
    if (!Activity)
      return Activity.takeError();
    Activities.push_back(*Activity);
  }
  append_range(Parsed.Request.Args, Activities);

  // The values of all parts come first, then each shadow of all parts.
  unsigned Width = Parsed.Request.Width;
  bool Shadowed = any_of(Activities, hasShadowArg);
  unsigned Copies = Shadowed ? 1 + Width : 1;
  SmallVector<SmallVector<Value *, 4>, 2> Given(Parts.size());
  for (unsigned Copy = 0; Copy < Copies; ++Copy) {
    if (!Rest.empty() && !Rest.front().M &&
        readStructInMemory(Rest.front(), Parts, Given)) {
      Rest = Rest.drop_front();
      continue;
    }
    for (auto [Part, Values] : zip(Parts, Given)) {
      if (Rest.empty())
        return failure("missing shadow for " + param(*Part));
      CallArgument Arg = Rest.front();
      Rest = Rest.drop_front();
      if (Arg.M)
        return failure("activity marker given where the " +
                       Twine(Copy ? "shadow" : "value") + " of " +
                       param(*Part) + " was expected");
      Value *Converted = convertArgument(B, Arg.V, Part->getType());
      if (!Converted)
        return failure("argument " + Twine(Arg.Position) + " of " + Spelling +
                       " has type " + sourceTypeName(Arg.V->getType()) +
                       " but " + param(*Part) + " has type " +
                       sourceTypeName(Part->getType()));
      Values.push_back(Converted);
    }
  }
  for (auto [Part, Activity, Values] : zip(Parts, Activities, Given)) {
    Parsed.Args.push_back(Values.front());
    if (!hasShadowArg(Activity))
      continue;
    if (Width == 1) {
      Parsed.Args.push_back(Values[1]);
      continue;
    }
    // In vector mode the shadows travel as one vector.
    Value *Lanes = PoisonValue::get(tangentType(Part->getType(), Width));
    for (unsigned Lane = 0; Lane < Width; ++Lane)
      Lanes = B.CreateInsertElement(Lanes, Values[1 + Lane], Lane);
    Parsed.Args.push_back(Lanes);
  }
  return Error::success();
}

Error ArgumentParser::readReverseTrailer(ArrayRef<CallArgument> &Rest) {
  bool ActiveResult = Parsed.Request.ReturnActive;
  unsigned Trailing =
      (ActiveResult ? 1 : 0) + (Parsed.TapeInCallerMemory ? 0 : 1);
  if (Rest.size() != Trailing ||
      any_of(Rest, [](const CallArgument &A) { return A.M.has_value(); }))
    return failure(Twine(Spelling) + " takes the arguments of '" +
                   displayName(Fn) + "'" +
                   (ActiveResult ? ", then the adjoint of its result" : "") +
                   (Parsed.TapeInCallerMemory ? "" : ", then the tape"));
  Type *RetTy = Fn.getReturnType();
  if (ActiveResult) {
    Parsed.ResultAdjoint = convertArgument(B, Rest.front().V, RetTy);
    if (!Parsed.ResultAdjoint)
      return failure(Twine(Spelling) + ": the adjoint of the result of '" +
                     displayName(Fn) + "' must be a " + sourceTypeName(RetTy));
    Rest = Rest.drop_front();
  }
  if (!Parsed.TapeInCallerMemory) {
    Parsed.Tape = Rest.front().V;
    Rest = Rest.drop_front();
    if (!Parsed.Tape->getType()->isPointerTy())
      return failure(Twine(Spelling) +
                     ": expected a tape pointer after the arguments of '" +
                     displayName(Fn) + "'");
  }
  return Error::success();
}

Expected<ParsedBuiltin> ArgumentParser::parse() {
  // A struct returned through memory arrives as a leading sret pointer.
  unsigned FirstArg = Call.hasStructRetAttr() ? 1 : 0;
  if (Error E = readArguments(FirstArg))
    return E;
  ArrayRef<CallArgument> Rest = Stream;
  for (unsigned Next = 0; Next < Fn.arg_size();) {
    SmallVector<Argument *, 2> Parts{Fn.getArg(Next++)};
    while (Next < Fn.arg_size() &&
           splitStructParameter(*Fn.getArg(Next)) == Parts.front()->getArgNo())
      Parts.push_back(Fn.getArg(Next++));
    if (Error E = readParameter(Parts, Rest))
      return E;
  }
  if (Kind == BuiltinKind::Reverse)
    if (Error E = readReverseTrailer(Rest))
      return E;
  if (!Rest.empty())
    return failure("too many arguments to " + Spelling + ": '" +
                   displayName(Fn) + "' takes " + Twine(Fn.arg_size()) +
                   " parameters");
  return std::move(Parsed);
}

} // namespace

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

std::optional<Expected<Marker>> markerArgument(const Value &V) {
  const GlobalVariable *GV = markerGlobal(V);
  if (!GV)
    return std::nullopt;
  MarkerName Named = markerNamed(GV->getName());
  if (Named.Known)
    return Expected<Marker>(Named.Known->M);
  // ad_ names are ordinary identifiers too; enzyme_ ones are reserved.
  if (!Named.Enzyme)
    return std::nullopt;
  StringRef Why =
      unsupportedEnzymeMarker(GV->getName().drop_front(strlen("enzyme_")));
  return Expected<Marker>(
      failure("the marker '" + GV->getName() + "' is not supported" +
              (Why.empty() ? Twine(" (unknown to Fluxion)") : ": " + Why)));
}

bool isKnownMarkerGlobal(const Value &V) {
  const auto *GV = dyn_cast<GlobalVariable>(&V);
  if (!GV)
    return false;
  return markerNamed(GV->getName()).Known;
}

/// Whether a value of type \p Ty holds floating data in its bytes
/// [\p Begin, \p End).
static bool holdsFloatingData(const DataLayout &DL, Type *Ty, uint64_t Begin,
                              uint64_t End) {
  if (Begin >= End || Begin >= DL.getTypeAllocSize(Ty))
    return false;
  if (Ty->isFPOrFPVectorTy())
    return true;
  if (auto *ST = dyn_cast<StructType>(Ty)) {
    const StructLayout *SL = DL.getStructLayout(ST);
    for (auto [Index, Member] : enumerate(ST->elements())) {
      uint64_t At = SL->getElementOffset(Index);
      if (At < End &&
          holdsFloatingData(DL, Member, Begin > At ? Begin - At : 0, End - At))
        return true;
    }
    return false;
  }
  if (auto *AT = dyn_cast<ArrayType>(Ty)) {
    uint64_t Stride = DL.getTypeAllocSize(AT->getElementType());
    for (uint64_t At = Begin / Stride * Stride; At < End; At += Stride)
      if (holdsFloatingData(DL, AT->getElementType(),
                            Begin > At ? Begin - At : 0, End - At))
        return true;
  }
  return false;
}

bool markSplitStructParameters(Module &M) {
  bool Changed = false;
  for (Function &F : M) {
    if (F.isDeclaration())
      continue;
    // Clang stores the scalars of a struct passed in registers into one
    // local copy of the struct as the function starts; a parameter of its
    // own goes to a slot of its own.
    MapVector<const AllocaInst *, SmallVector<unsigned, 2>> Copies;
    for (Instruction &I : F.getEntryBlock()) {
      auto *SI = dyn_cast<StoreInst>(&I);
      auto *Param = SI ? dyn_cast<Argument>(SI->getValueOperand()) : nullptr;
      auto *Slot = Param ? dyn_cast<AllocaInst>(
                               getUnderlyingObject(SI->getPointerOperand()))
                         : nullptr;
      if (!Slot)
        continue;
      Copies[Slot].push_back(Param->getArgNo());
      const DataLayout &DL = M.getDataLayout();
      APInt Offset(DL.getIndexTypeSizeInBits(SI->getPointerOperandType()), 0);
      SI->getPointerOperand()->stripAndAccumulateConstantOffsets(
          DL, Offset, /*AllowNonInbounds=*/true);
      uint64_t Begin = Offset.getZExtValue();
      if (Param->getType()->isIntegerTy() &&
          holdsFloatingData(DL, Slot->getAllocatedType(), Begin,
                            Begin + DL.getTypeStoreSize(Param->getType()))) {
        F.addParamAttr(Param->getArgNo(),
                       Attribute::get(M.getContext(), FloatBitsAttr));
        Changed = true;
      }
    }
    for (auto &[Slot, Params] : Copies) {
      if (Params.size() < 2)
        continue;
      unsigned First = *min_element(Params);
      for (unsigned ArgNo : Params)
        F.addParamAttr(ArgNo, Attribute::get(M.getContext(), StructPartAttr,
                                             std::to_string(First)));
      Changed = true;
    }
  }
  return Changed;
}

void clearSplitStructParameterMarks(Module &M) {
  for (Function &F : M)
    for (Argument &A : F.args())
      for (StringRef Mark : {StructPartAttr, FloatBitsAttr})
        if (A.hasAttribute(Mark))
          F.removeParamAttr(A.getArgNo(), Mark);
}

std::optional<unsigned> splitStructParameter(const Argument &A) {
  Attribute Part =
      A.getParent()->getAttributes().getParamAttr(A.getArgNo(), StructPartAttr);
  unsigned First;
  if (!Part.isValid() || Part.getValueAsString().getAsInteger(10, First))
    return std::nullopt;
  return First;
}

Expected<BatchArguments> parseBatchArguments(CallBase &Call, StringRef Spelling,
                                             Function &Fn, IRBuilderBase &B) {
  Expected<SmallVector<CallArgument, 8>> All =
      callArguments(Call, Call.hasStructRetAttr() ? 1 : 0);
  if (!All)
    return All.takeError();
  ArrayRef<CallArgument> Rest = *All;
  auto *Width = Rest.size() >= 2 && Rest[0].M == Marker::Width
                    ? dyn_cast<ConstantInt>(Rest[1].V)
                    : nullptr;
  if (!Width || Width->isZero() || Width->getZExtValue() > 64)
    return failure(Spelling + " must begin with enzyme_width and a constant "
                              "between 1 and 64 after the function");
  Rest = Rest.drop_front(2);
  BatchArguments Batch;
  Batch.Width = Width->getZExtValue();
  Batch.PerCall.resize(Batch.Width);
  for (Argument &Param : Fn.args()) {
    std::string Name = ("parameter " + Twine(Param.getArgNo() + 1) + " of '" +
                        displayName(Fn) + "'")
                           .str();
    bool Shared = false;
    if (!Rest.empty() && Rest.front().M) {
      if (*Rest.front().M != Marker::Vector &&
          *Rest.front().M != Marker::Scalar)
        return failure("only enzyme_vector and enzyme_scalar may mark the "
                       "arguments of " +
                       Spelling);
      Shared = *Rest.front().M == Marker::Scalar;
      Rest = Rest.drop_front();
    }
    unsigned Needed = Shared ? 1 : Batch.Width;
    if (Rest.size() < Needed ||
        any_of(Rest.take_front(Needed),
               [](const CallArgument &A) { return A.M.has_value(); }))
      return failure(Twine(Spelling) + " needs " + Twine(Needed) +
                     (Shared ? " value" : " values") + " for " + Name);
    for (unsigned Lane = 0; Lane < Batch.Width; ++Lane) {
      Value *V = Rest[Shared ? 0 : Lane].V;
      Value *Converted = convertArgument(B, V, Param.getType());
      if (!Converted)
        return failure("argument " + Twine(Rest[Shared ? 0 : Lane].Position) +
                       " of " + Spelling + " has type " +
                       sourceTypeName(V->getType()) + ", but " + Name +
                       " has type " + sourceTypeName(Param.getType()));
      Batch.PerCall[Lane].push_back(Converted);
    }
    Rest = Rest.drop_front(Needed);
  }
  if (!Rest.empty())
    return failure(Twine(Spelling) + " has more arguments than '" +
                   displayName(Fn) + "' takes");
  return Batch;
}

Expected<ParsedBuiltin> parseBuiltinArguments(CallBase &Call, BuiltinKind Kind,
                                              StringRef Spelling, Function &Fn,
                                              IRBuilderBase &B) {
  return ArgumentParser(Call, Kind, Spelling, Fn, B).parse();
}

} // namespace fluxion
