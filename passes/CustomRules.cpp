//===- CustomRules.cpp - User-registered derivatives ----------------------===//

#include "CustomRules.h"

#include "DerivativeRules.h"
#include "Diagnostics.h"

#include "llvm/Analysis/TargetLibraryInfo.h"
#include "llvm/Demangle/Demangle.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/Module.h"

using namespace llvm;

namespace fluxion {

static constexpr StringLiteral ForwardAttr = "fluxion-forward-rule";
static constexpr StringLiteral AugmentedAttr = "fluxion-augmented-rule";
static constexpr StringLiteral ReverseAttr = "fluxion-reverse-rule";
static constexpr StringLiteral InactiveAttr = "fluxion_inactive";
static constexpr StringLiteral CheckpointAttr = "fluxion_checkpoint";
static constexpr StringLiteral FunctionLikeAttr = "fluxion-function-like";
static constexpr StringLiteral AllocatorSizeAttr = "fluxion-allocator-size";
static constexpr StringLiteral DeallocatorAttr = "fluxion-deallocator";
static constexpr StringLiteral DeallocatorArgsAttr = "fluxion-deallocator-args";
/// Set on checkpointed functions that were inlinable before registration.
static constexpr StringLiteral DeferredInlineAttr =
    "fluxion-checkpoint-deferred-inline";

namespace {

/// The function a registration entry names: a function pointer, or a
/// pointer to a non-virtual member function, {function as an integer, 0} in
/// the Itanium C++ ABI (FLUXION_*_MEMBER); a virtual one names none.
Function *listedFunction(Constant *Entry) {
  if (auto *Member = dyn_cast<ConstantStruct>(Entry);
      Member && Member->getNumOperands() == 2 &&
      Member->getOperand(1)->isNullValue())
    if (auto *Address = dyn_cast<ConstantExpr>(Member->getOperand(0));
        Address && Address->getOpcode() == Instruction::PtrToInt)
      Entry = Address->getOperand(0);
  return dyn_cast<Function>(Entry->stripPointerCasts());
}

/// The functions listed in a registration array (or struct, when it lists
/// a member function), in order.
SmallVector<Function *, 3> listedFunctions(GlobalVariable &GV) {
  SmallVector<Function *, 3> Functions;
  if (!GV.hasInitializer())
    return Functions;
  auto *Array = dyn_cast<ConstantAggregate>(GV.getInitializer());
  if (!Array)
    return Functions;
  for (Use &Op : Array->operands())
    Functions.push_back(listedFunction(cast<Constant>(Op.get())));
  return Functions;
}

void reportBadRegistration(GlobalVariable &GV, const Twine &Msg) {
  GV.getContext().diagnose(
      DiagnosticInfoGeneric("fluxion: " + GV.getName() + ": " + Msg, DS_Error));
}

/// The entries of a registration global: the elements of an array or
/// struct, or the initializer itself when it is a single pointer.
SmallVector<Constant *, 4> registrationEntries(GlobalVariable &GV) {
  SmallVector<Constant *, 4> Entries;
  if (!GV.hasInitializer())
    return Entries;
  Constant *Init = GV.getInitializer();
  if (isa<ConstantAggregate>(Init))
    for (Use &Op : Init->operands())
      Entries.push_back(cast<Constant>(Op.get()));
  else
    Entries.push_back(Init);
  return Entries;
}

/// The C string a registration entry points to, if it is one.
std::optional<StringRef> constantString(const Constant *C) {
  const auto *Text = dyn_cast<GlobalVariable>(C->stripPointerCasts());
  const auto *Data =
      Text && Text->isConstant() && Text->hasDefinitiveInitializer()
          ? dyn_cast<ConstantDataSequential>(Text->getInitializer())
          : nullptr;
  if (!Data || !Data->isCString())
    return std::nullopt;
  return Data->getAsCString();
}

/// The integer a registration entry holds as a pointer ((void *)1).
std::optional<uint64_t> constantInteger(const Constant *C) {
  if (isa<ConstantPointerNull>(C))
    return 0;
  if (const auto *Cast = dyn_cast<ConstantExpr>(C);
      Cast && Cast->getOpcode() == Instruction::IntToPtr)
    C = Cast->getOperand(0);
  if (const auto *Int = dyn_cast<ConstantInt>(C))
    return Int->getZExtValue();
  return std::nullopt;
}

void markInactive(Function &F) {
  F.addFnAttr(InactiveAttr);
  F.addFnAttr(Attribute::NoInline);
}

/// Why calls of \p F cannot take \p Rule, the row of \p Name, as their
/// derivative, or "" when they can: the rule reads the call's arguments and
/// result as the operands and result of the function it describes.
std::string functionLikeMismatch(const Function &F, StringRef Name,
                                 const ElementwiseRule &Rule) {
  // A libm function's prototype (its float or long double variant for such
  // a result) says it all, its arity included.
  const Module &M = *F.getParent();
  TargetLibraryInfoImpl Impl(M.getTargetTriple());
  TargetLibraryInfo Library(Impl);
  Type *ResultTy = F.getReturnType();
  StringRef Suffix = ResultTy->isFloatTy()    ? "f"
                     : ResultTy->isDoubleTy() ? ""
                                              : "l";
  bool InLibm = false;
  for (const std::string &Candidate : {Name.str(), (Name + Suffix).str()}) {
    LibFunc Func;
    if (!Library.getLibFunc(Candidate, Func))
      continue;
    if (Library.isValidProtoForLibFunc(*F.getFunctionType(), Func, M))
      return "";
    InLibm = true;
  }
  if (InLibm)
    return ("its parameter and result types are not those of '" + Name + "'")
        .str();
  // Other rows (CUDA's rsqrt, normcdf, ...): the operands the rule
  // differentiates must be there, of the result's type.
  if (!ResultTy->isFPOrFPVectorTy())
    return "it does not return a floating-point value";
  unsigned Used = 0;
  for (auto [Idx, Partial] : enumerate(Rule.Partials))
    if (Partial)
      Used = Idx + 1;
  if (F.arg_size() < Used)
    return ("'" + Name + "' takes " + Twine(Used) + " parameters, it takes " +
            Twine(F.arg_size()))
        .str();
  for (const Argument &Arg : F.args()) {
    unsigned Idx = Arg.getArgNo();
    Type *Ty = Arg.getType();
    if (Idx < Used && Rule.Partials[Idx] && Ty != ResultTy)
      return ("parameter " + Twine(Idx + 1) +
              " does not have the type of its result")
          .str();
    if (!Ty->isFPOrFPVectorTy() && !Ty->isIntegerTy())
      return ("parameter " + Twine(Idx + 1) +
              " is neither a floating-point value nor an integer")
          .str();
  }
  return "";
}

/// Makes every call of \p F take the derivative rule of \p Name. Returns
/// why it cannot, or "" when it did.
std::string makeFunctionLike(Function &F, StringRef Name) {
  const ElementwiseRule *Rule = findRuleByName(Name);
  if (!Rule)
    return ("'" + Name + "' has no derivative rule").str();
  std::string Mismatch = functionLikeMismatch(F, Name, *Rule);
  if (!Mismatch.empty())
    return "'" + displayName(F) + "' cannot be differentiated like '" +
           Name.str() + "': " + Mismatch;
  F.addFnAttr(FunctionLikeAttr, Name);
  F.addFnAttr(Attribute::NoInline);
  return "";
}

/// Reads __enzyme_allocation_like: {allocator, (void *)index of the size
/// parameter, "deallocator arguments" (indices of allocator parameters, -1
/// for the allocated pointer), deallocator}. Returns what is wrong with it,
/// or "".
std::string registerAllocator(GlobalVariable &GV) {
  SmallVector<Constant *, 4> Entries = registrationEntries(GV);
  if (Entries.size() != 4)
    return "expected {allocator, index of the size parameter, \"deallocator "
           "arguments\", deallocator}";
  auto *Allocator = dyn_cast<Function>(Entries[0]->stripPointerCasts());
  auto *Deallocator = dyn_cast<Function>(Entries[3]->stripPointerCasts());
  if (!Allocator || !Deallocator)
    return "the allocator and the deallocator must be functions";
  std::string AllocatorName = "'" + displayName(*Allocator) + "'";
  if (!Allocator->getReturnType()->isPointerTy())
    return AllocatorName + " does not return a pointer";
  std::optional<uint64_t> SizeArg = constantInteger(Entries[1]);
  if (!SizeArg || *SizeArg >= Allocator->arg_size() ||
      !Allocator->getArg(*SizeArg)->getType()->isIntegerTy())
    return "the size index must name an integer parameter of " + AllocatorName;
  std::optional<StringRef> Indices = constantString(Entries[2]);
  SmallVector<StringRef, 4> Fields;
  if (Indices)
    Indices->split(Fields, ',');
  SmallVector<int, 4> Args;
  for (StringRef Field : Fields) {
    int Index;
    if (Field.trim().getAsInteger(10, Index) || Index < -1 ||
        Index >= static_cast<int>(Allocator->arg_size()))
      break;
    Args.push_back(Index);
  }
  if (!Indices || Args.size() != Fields.size() || !is_contained(Args, -1) ||
      (!Deallocator->isVarArg() && Args.size() != Deallocator->arg_size()))
    return ("the deallocator arguments must be a string of " +
            Twine(Deallocator->arg_size()) +
            " comma-separated indices of parameters of " + AllocatorName +
            ", -1 for the allocated pointer")
        .str();
  std::string ArgList;
  for (auto [Param, Index] : enumerate(Args)) {
    Type *Passed = Index < 0 ? Allocator->getReturnType()
                             : Allocator->getArg(Index)->getType();
    if (Param < Deallocator->arg_size() &&
        Deallocator->getArg(Param)->getType() != Passed)
      return ("parameter " + Twine(Param + 1) + " of '" +
              displayName(*Deallocator) + "' does not have the type of " +
              (Index < 0
                   ? "the allocated pointer"
                   : "parameter " + Twine(Index + 1) + " of " + AllocatorName))
          .str();
    ArgList += (ArgList.empty() ? "" : ",") + std::to_string(Index);
  }
  Allocator->addFnAttr(AllocatorSizeAttr, std::to_string(*SizeArg));
  Allocator->addFnAttr(DeallocatorAttr, Deallocator->getName());
  Allocator->addFnAttr(DeallocatorArgsAttr, ArgList);
  // Calls of the allocator must stay calls for Fluxion to see them.
  Allocator->addFnAttr(Attribute::NoInline);
  return "";
}

/// Applies one entry of llvm.global.annotations: {global, text, file, line,
/// arguments}. Returns false when the entry is not one of Fluxion's.
bool applyAnnotation(ConstantStruct &Fields) {
  auto *Marked =
      dyn_cast<GlobalObject>(Fields.getOperand(0)->stripPointerCasts());
  std::optional<StringRef> Text = constantString(Fields.getOperand(1));
  if (!Marked || !Text)
    return false;
  if (*Text == InactiveAnnotation) {
    if (auto *F = dyn_cast<Function>(Marked))
      markInactive(*F);
    else
      cast<GlobalVariable>(Marked)->addAttribute(InactiveAttr);
    return true;
  }
  StringRef Name = *Text;
  auto *F = dyn_cast<Function>(Marked);
  if (!F || !Name.consume_front(FunctionLikeAnnotation))
    return false;
  std::string Problem = makeFunctionLike(*F, Name);
  if (Problem.empty())
    return true;
  std::optional<StringRef> File = constantString(Fields.getOperand(2));
  auto *Line = dyn_cast<ConstantInt>(Fields.getOperand(3));
  F->getContext().diagnose(DiagnosticInfoGeneric(
      "fluxion: " + (File ? *File : StringRef("<unknown>")) + ":" +
          Twine(Line ? Line->getZExtValue() : 0) + ": " + Problem,
      DS_Error));
  return true;
}

/// Applies the entries of llvm.global.annotations that the clang plugin made
/// for enzyme_inactive and enzyme_function_like, and removes them: like
/// registration globals they are read once, so each error is reported once.
bool collectAnnotations(Module &M) {
  GlobalVariable *Annotations = M.getNamedGlobal("llvm.global.annotations");
  auto *Entries = Annotations && Annotations->hasInitializer()
                      ? dyn_cast<ConstantArray>(Annotations->getInitializer())
                      : nullptr;
  if (!Entries)
    return false;
  SmallVector<Constant *, 8> Kept;
  for (Use &Entry : Entries->operands()) {
    auto *Fields = dyn_cast<ConstantStruct>(Entry.get());
    if (!Fields || Fields->getNumOperands() < 4 || !applyAnnotation(*Fields))
      Kept.push_back(cast<Constant>(Entry.get()));
  }
  if (Kept.size() == Entries->getNumOperands())
    return false;
  if (!Kept.empty()) {
    auto *Type =
        ArrayType::get(Entries->getType()->getElementType(), Kept.size());
    auto *Rest = new GlobalVariable(M, Type, /*isConstant=*/false,
                                    Annotations->getLinkage(),
                                    ConstantArray::get(Type, Kept));
    Rest->setSection(Annotations->getSection());
    Rest->takeName(Annotations);
  }
  Annotations->eraseFromParent();
  return true;
}

enum class Registration { None, Read, Bad };

/// Applies registration global \p GV to the functions and globals it
/// names.
Registration readRegistration(GlobalVariable &GV) {
  StringRef Name = GV.getName();
  SmallVector<Function *, 3> Fns = listedFunctions(GV);
  auto Bad = [&](const Twine &Msg) {
    reportBadRegistration(GV, Msg);
    return Registration::Bad;
  };
  if (Name.starts_with("__enzyme_register_derivative")) {
    if (Fns.size() != 2 || !Fns[0] || !Fns[1])
      return Bad("expected {function, forward rule}");
    Fns[0]->addFnAttr(ForwardAttr, Fns[1]->getName());
    Fns[0]->addFnAttr(Attribute::NoInline);
  } else if (Name.starts_with("__enzyme_register_gradient")) {
    if (Fns.size() != 3 || !Fns[0] || !Fns[1] || !Fns[2])
      return Bad("expected {function, augmented forward, reverse}");
    Fns[0]->addFnAttr(AugmentedAttr, Fns[1]->getName());
    Fns[0]->addFnAttr(ReverseAttr, Fns[2]->getName());
    Fns[0]->addFnAttr(Attribute::NoInline);
  } else if (Name.starts_with("__enzyme_inactivefn") ||
             Name.starts_with("__fluxion_inactive")) {
    for (Function *F : Fns)
      if (F)
        markInactive(*F);
  } else if (Name.starts_with("__enzyme_inactive_global")) {
    SmallVector<GlobalVariable *, 2> Globals;
    for (Constant *Entry : registrationEntries(GV))
      Globals.push_back(dyn_cast<GlobalVariable>(Entry->stripPointerCasts()));
    if (Globals.empty() || is_contained(Globals, nullptr))
      return Bad("expected addresses of global variables");
    for (GlobalVariable *Inactive : Globals)
      Inactive->addAttribute(InactiveAttr);
  } else if (Name.starts_with("__enzyme_function_like")) {
    SmallVector<Constant *, 4> Entries = registrationEntries(GV);
    auto *F = Entries.size() == 2
                  ? dyn_cast<Function>(Entries[0]->stripPointerCasts())
                  : nullptr;
    std::optional<StringRef> Like =
        F ? constantString(Entries[1]) : std::nullopt;
    if (!Like)
      return Bad("expected {function, \"name of a math function\"}");
    std::string Problem = makeFunctionLike(*F, *Like);
    if (!Problem.empty())
      return Bad(Problem);
  } else if (Name.starts_with("__enzyme_allocation_like")) {
    std::string Problem = registerAllocator(GV);
    if (!Problem.empty())
      return Bad(Problem);
  } else if (Name.starts_with("__fluxion_checkpoint")) {
    for (Function *F : Fns)
      if (F && !F->hasFnAttribute(CheckpointAttr)) {
        F->addFnAttr(CheckpointAttr);
        if (!F->hasFnAttribute(Attribute::NoInline))
          F->addFnAttr(DeferredInlineAttr);
        F->addFnAttr(Attribute::NoInline);
      }
  } else {
    return Registration::None;
  }
  return Registration::Read;
}

} // namespace

bool collectCustomRules(Module &M, bool RemoveRegistrations) {
  bool Changed = collectAnnotations(M);
  for (GlobalVariable &GV : make_early_inc_range(M.globals())) {
    Registration Read = readRegistration(GV);
    if (Read == Registration::None)
      continue;
    Changed = true;
    // A bad registration is dropped once reported, so the second read at
    // the optimizer does not report it again; a good one keeps its rule
    // functions alive until Fluxion has run.
    if (Read == Registration::Read && !RemoveRegistrations)
      continue;
    GV.replaceAllUsesWith(PoisonValue::get(GV.getType()));
    GV.eraseFromParent();
  }
  return Changed;
}

CustomRule customRule(const Function &F) {
  const Module &M = *F.getParent();
  auto Lookup = [&](StringRef Attr) -> Function * {
    if (!F.hasFnAttribute(Attr))
      return nullptr;
    return M.getFunction(F.getFnAttribute(Attr).getValueAsString());
  };
  return {Lookup(ForwardAttr), Lookup(AugmentedAttr), Lookup(ReverseAttr)};
}

bool isMarkedInactive(const Function &F) {
  return F.hasFnAttribute(InactiveAttr) || F.hasFnAttribute("enzyme_inactive");
}

bool isMarkedInactive(const GlobalVariable &GV) {
  return GV.hasAttribute(InactiveAttr);
}

StringRef functionLikeName(const Function &F) {
  return F.getFnAttribute(FunctionLikeAttr).getValueAsString();
}

std::optional<CustomAllocator> customAllocator(const Function &F) {
  if (!F.hasFnAttribute(AllocatorSizeAttr))
    return std::nullopt;
  CustomAllocator A;
  F.getFnAttribute(AllocatorSizeAttr)
      .getValueAsString()
      .getAsInteger(10, A.SizeArg);
  A.Deallocator = F.getParent()->getFunction(
      F.getFnAttribute(DeallocatorAttr).getValueAsString());
  SmallVector<StringRef, 4> Fields;
  F.getFnAttribute(DeallocatorArgsAttr).getValueAsString().split(Fields, ',');
  for (StringRef Field : Fields) {
    int Index = 0;
    Field.getAsInteger(10, Index);
    A.DeallocatorArgs.push_back(Index);
  }
  return A;
}

bool isCheckpointed(const Function &F) {
  return F.hasFnAttribute(CheckpointAttr);
}

void clearCheckpointMark(Function &F) {
  F.removeFnAttr(CheckpointAttr);
  F.removeFnAttr(DeferredInlineAttr);
}

void restoreCheckpointInlining(Function &F) {
  if (!F.hasFnAttribute(DeferredInlineAttr))
    return;
  F.removeFnAttr(DeferredInlineAttr);
  F.removeFnAttr(Attribute::NoInline);
}

} // namespace fluxion
