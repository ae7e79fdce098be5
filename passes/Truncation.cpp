//===- Truncation.cpp - Computing in a narrower floating-point format -----===//
//
// A Truncator rewrites a function body so that its FROM-typed operations
// round as the narrower format would (the semantics are in Truncation.h).
// Native formats narrow each operation's operands with fptrunc, compute in
// the narrow type and widen the result with fpext; other formats compute in
// FROM and pass operands and results through an internal rounding helper
// made of integer operations, so the program needs no runtime library.
//
//===----------------------------------------------------------------------===//

#include "Truncation.h"
#include "Diagnostics.h"

#include "LibraryFunctions.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/InstVisitor.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Module.h"
#include "llvm/Transforms/Utils/Cloning.h"

#include <limits>

using namespace llvm;

namespace fluxion {

std::optional<FloatFormat> FloatFormat::ofWidth(uint64_t Bits) {
  switch (Bits) {
  case 16:
    return FloatFormat{5, 10};
  case 32:
    return FloatFormat{8, 23};
  case 64:
    return FloatFormat{11, 52};
  default:
    return std::nullopt;
  }
}

std::optional<unsigned> FloatFormat::width() const {
  for (unsigned Bits : {16, 32, 64})
    if (ofWidth(Bits) == *this)
      return Bits;
  return std::nullopt;
}

Type *FloatFormat::nativeType(LLVMContext &Ctx) const {
  switch (width().value_or(0)) {
  case 16:
    return Type::getHalfTy(Ctx);
  case 32:
    return Type::getFloatTy(Ctx);
  case 64:
    return Type::getDoubleTy(Ctx);
  default:
    return nullptr;
  }
}

std::string FloatFormat::str() const {
  if (std::optional<unsigned> Bits = width())
    return std::to_string(*Bits);
  return std::to_string(Exponent) + "-" + std::to_string(Mantissa);
}

static Error failure(const Twine &Msg) {
  return make_error<StringError>(Msg, inconvertibleErrorCode());
}

/// Whether \p T describes a narrowing Fluxion can emulate.
static Error checkTruncation(const Truncation &T) {
  if (!T.From.width())
    return failure("the format truncated from, " + T.From.str() +
                   ", is not 16, 32 or 64 bits (half, float, double)");
  if (T.To.Exponent == 0 || T.To.Exponent > T.From.Exponent ||
      T.To.Mantissa >= T.From.Mantissa)
    return failure("cannot truncate " + T.From.str() + "-bit floats to " +
                   T.To.str() + ": the format truncated to needs 1 to " +
                   Twine(T.From.Exponent) + " exponent bits and fewer than " +
                   Twine(T.From.Mantissa) + " mantissa bits");
  return Error::success();
}

/// "64" or "11-52".
static std::optional<FloatFormat> parseFormat(StringRef &Spec) {
  unsigned First = 0, Second = 0;
  if (Spec.consumeInteger(10, First))
    return std::nullopt;
  if (!Spec.consume_front("-"))
    return FloatFormat::ofWidth(First);
  if (Spec.consumeInteger(10, Second))
    return std::nullopt;
  return FloatFormat{First, Second};
}

Expected<SmallVector<Truncation, 2>> parseTruncations(StringRef Spec) {
  SmallVector<Truncation, 2> Result;
  SmallVector<StringRef, 2> Items;
  Spec.split(Items, ';', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
  for (StringRef Item : Items) {
    StringRef Rest = Item.trim();
    std::optional<FloatFormat> From = parseFormat(Rest);
    std::optional<FloatFormat> To;
    if (From && Rest.consume_front("to"))
      To = parseFormat(Rest);
    if (!From || !To || !Rest.empty())
      return failure("'" + Item +
                     "' is not a truncation such as 64to32 or 11-52to3-7 "
                     "(widths 16, 32, 64, or exponent-mantissa bits)");
    Truncation T{*From, *To};
    if (Error E = checkTruncation(T))
      return E;
    Result.push_back(T);
  }
  return Result;
}

namespace {

/// \p Bits, the bit pattern of a finite or infinite float, with its lowest
/// \p Shift bits rounded away to nearest, ties to even. Adding the half-way
/// bias to the whole pattern lets a carry out of the mantissa step the
/// exponent, and the largest finite value round up to infinity.
APInt roundedPattern(const APInt &Bits, unsigned Shift) {
  APInt Odd = Bits.lshr(Shift) & 1;
  APInt Bias = APInt::getLowBitsSet(Bits.getBitWidth(), Shift - 1) + Odd;
  return (Bits + Bias) & ~APInt::getLowBitsSet(Bits.getBitWidth(), Shift);
}

constexpr StringLiteral HelperPrefix = "fluxion.round.";

/// Whether \p F is a rounding helper, which a copy calls as it is.
bool isRoundingHelper(const Function &F) {
  return F.hasLocalLinkage() && F.getName().starts_with(HelperPrefix);
}

/// "f64", "v2f64": a type in a helper's name.
std::string typeTag(Type *Ty) {
  if (auto *VT = dyn_cast<VectorType>(Ty))
    return (isa<ScalableVectorType>(VT) ? "nxv" : "v") +
           std::to_string(VT->getElementCount().getKnownMinValue()) +
           typeTag(VT->getElementType());
  return "f" + std::to_string(Ty->getPrimitiveSizeInBits().getFixedValue());
}

/// Rewrites functions for one truncation of one module, and makes the
/// truncated copies the builtins ask for.
class Truncator {
public:
  Truncator(Module &M, Truncation T)
      : M(M), T(T), From(T.From.nativeType(M.getContext())),
        Native(T.To.nativeType(M.getContext())) {}

  /// The FROM scalar type and, for a native TO, the narrow scalar type.
  Type *fromType() const { return From; }
  Type *nativeType() const { return Native; }

  /// \p V (FROM-typed) rounded to TO, still FROM-typed.
  Value *round(IRBuilderBase &B, Value *V);
  /// Rewrites \p F's body in place; with \p Copying, calls of functions with
  /// bodies call their truncated copies.
  void rewrite(Function &F, bool Copying);
  /// The truncated copy of \p F, made (and rewritten, with the copies of
  /// what it calls) if the module does not have it yet.
  Function *copyOf(Function &F);

private:
  Function *roundingHelper(Type *Ty);
  Function *copyWithoutRewriting(Function &F);

  Module &M;
  Truncation T;
  Type *From;
  Type *Native;
  SmallVector<Function *, 4> PendingCopies;
  bool Draining = false;
};

/// Rewrites the FROM-typed operations of one function.
class FunctionRewriter : public InstVisitor<FunctionRewriter> {
public:
  FunctionRewriter(Truncator &T, bool Copying) : T(T), Copying(Copying) {}

  void visitBinaryOperator(BinaryOperator &I);
  void visitUnaryOperator(UnaryOperator &I);
  void visitFCmpInst(FCmpInst &I);
  void visitCallBase(CallBase &Call);
  void visitInstruction(Instruction &) {}

private:
  bool isFrom(const Value *V) const {
    return V->getType()->getScalarType() == T.fromType();
  }
  /// \p V as an operand of a truncated operation: in the narrow type for a
  /// native TO, else rounded in FROM.
  Value *operand(IRBuilderBase &B, Value *V);
  /// \p V rounded, FROM-typed.
  Value *rounded(IRBuilderBase &B, Value *V);
  /// The FROM-typed value of an operation's result \p R (in the narrow type
  /// for a native TO); \p Exact when R needs no rounding (fneg).
  Value *widened(IRBuilderBase &B, Value *R, bool Exact = false);
  /// Replaces \p I with \p New, which takes its name and IR flags.
  void replace(Instruction &I, Value *New);
  /// Rounds the arguments and the result of a math call.
  void truncateMathCall(CallInst &Call);
  /// llvm.fmuladd and llvm.fma, which the narrow type computes exactly.
  bool truncateMultiplyAdd(IntrinsicInst &Call);

  Truncator &T;
  bool Copying;
  /// The narrow value each widened result was made from (native TO).
  DenseMap<Value *, Value *> NarrowOf;
  /// Results known to hold numbers TO represents.
  SmallPtrSet<Value *, 32> Rounded;
};

} // namespace

Function *Truncator::roundingHelper(Type *Ty) {
  unsigned Bits = T.To.Mantissa + 1;
  std::string Name = HelperPrefix.str() + typeTag(Ty) + ".p" + utostr(Bits);
  if (Function *Existing = M.getFunction(Name))
    return Existing;
  LLVMContext &Ctx = M.getContext();
  auto *Helper = Function::Create(FunctionType::get(Ty, {Ty}, false),
                                  GlobalValue::InternalLinkage, Name, M);
  Helper->setDoesNotAccessMemory();
  Helper->setDoesNotThrow();
  Helper->setWillReturn();
  Helper->addFnAttr(Attribute::NoSync);
  Helper->addFnAttr(Attribute::NoFree);
  Helper->setSpeculatable();
  Argument *X = Helper->getArg(0);
  X->setName("x");
  IRBuilder<> B(BasicBlock::Create(Ctx, "entry", Helper));
  unsigned Width = From->getPrimitiveSizeInBits().getFixedValue();
  unsigned Shift = T.From.Mantissa - T.To.Mantissa;
  Type *IntTy = Ty->getWithNewType(B.getIntNTy(Width));
  auto Int = [&](const APInt &C) { return ConstantInt::get(IntTy, C); };
  Value *Pattern = B.CreateBitCast(X, IntTy, "bits");
  Value *Odd = B.CreateAnd(B.CreateLShr(Pattern, Int(APInt(Width, Shift))),
                           Int(APInt(Width, 1)), "odd");
  Value *Biased = B.CreateAdd(
      Pattern, B.CreateAdd(Odd, Int(APInt::getLowBitsSet(Width, Shift - 1))),
      "biased");
  Value *Kept =
      B.CreateAnd(Biased, Int(~APInt::getLowBitsSet(Width, Shift)), "kept");
  Value *Result = B.CreateBitCast(Kept, Ty, "rounded");
  // A NaN's payload could carry into the exponent and make it infinite.
  Value *IsNaN = B.CreateFCmpUNO(X, X, "isnan");
  B.CreateRet(B.CreateSelect(IsNaN, X, Result));
  return Helper;
}

Value *Truncator::round(IRBuilderBase &B, Value *V) {
  Type *Ty = V->getType();
  if (Native)
    return B.CreateFPExt(B.CreateFPTrunc(V, Ty->getWithNewType(Native),
                                         V->getName() + ".narrow"),
                         Ty, V->getName() + ".rounded");
  // Constants are rounded here, as the helper would at run time.
  if (auto *C = dyn_cast<Constant>(V))
    if (auto *Scalar = dyn_cast_or_null<ConstantFP>(
            Ty->isVectorTy() ? C->getSplatValue() : C)) {
      const APFloat &Number = Scalar->getValueAPF();
      if (Number.isNaN())
        return V;
      unsigned Shift = T.From.Mantissa - T.To.Mantissa;
      APFloat Result(Number.getSemantics(),
                     roundedPattern(Number.bitcastToAPInt(), Shift));
      return ConstantFP::get(Ty, Result);
    }
  return B.CreateCall(roundingHelper(Ty), {V}, V->getName() + ".rounded");
}

Value *FunctionRewriter::rounded(IRBuilderBase &B, Value *V) {
  if (Rounded.contains(V))
    return V;
  return T.round(B, V);
}

Value *FunctionRewriter::operand(IRBuilderBase &B, Value *V) {
  if (!T.nativeType())
    return rounded(B, V);
  if (Value *Narrow = NarrowOf.lookup(V))
    return Narrow;
  return B.CreateFPTrunc(V, V->getType()->getWithNewType(T.nativeType()),
                         V->getName() + ".narrow");
}

Value *FunctionRewriter::widened(IRBuilderBase &B, Value *R, bool Exact) {
  Value *Wide;
  if (T.nativeType()) {
    Wide = B.CreateFPExt(R, R->getType()->getWithNewType(T.fromType()),
                         R->getName() + ".wide");
    NarrowOf[Wide] = R;
  } else {
    Wide = Exact ? R : T.round(B, R);
  }
  Rounded.insert(Wide);
  return Wide;
}

void FunctionRewriter::replace(Instruction &I, Value *New) {
  I.replaceAllUsesWith(New);
  I.eraseFromParent();
}

/// Gives the operation \p New (if it is an instruction) \p Old's name and
/// fast-math flags.
static Value *likeOriginal(Value *New, Instruction &Old) {
  if (auto *NewI = dyn_cast<Instruction>(New)) {
    NewI->takeName(&Old);
    NewI->copyIRFlags(&Old);
  }
  return New;
}

void FunctionRewriter::visitBinaryOperator(BinaryOperator &I) {
  if (!I.getType()->isFPOrFPVectorTy() || !isFrom(&I))
    return;
  IRBuilder<> B(&I);
  Value *LHS = operand(B, I.getOperand(0));
  Value *RHS = operand(B, I.getOperand(1));
  Value *Op = likeOriginal(B.CreateBinOp(I.getOpcode(), LHS, RHS), I);
  replace(I, widened(B, Op));
}

void FunctionRewriter::visitUnaryOperator(UnaryOperator &I) {
  if (I.getOpcode() != Instruction::FNeg || !isFrom(&I))
    return;
  IRBuilder<> B(&I);
  Value *Op = likeOriginal(B.CreateFNeg(operand(B, I.getOperand(0))), I);
  replace(I, widened(B, Op, /*Exact=*/true));
}

void FunctionRewriter::visitFCmpInst(FCmpInst &I) {
  if (!isFrom(I.getOperand(0)))
    return;
  // Values that round to the same number compare equal, as in TO.
  IRBuilder<> B(&I);
  Value *LHS = operand(B, I.getOperand(0));
  Value *RHS = operand(B, I.getOperand(1));
  replace(I, likeOriginal(B.CreateFCmp(I.getPredicate(), LHS, RHS), I));
}

/// Whether \p Call computes a floating-point function of its arguments: an
/// intrinsic or a C library function whose operands are all values (no
/// memory, no metadata), taking or returning \p From values.
static bool isMathCall(const CallBase &Call, const Function &Callee,
                       Type *From) {
  if (!Callee.isIntrinsic() && !libraryFunction(Callee))
    return false;
  bool UsesFrom = Call.getType()->getScalarType() == From;
  for (const Value *Arg : Call.args()) {
    Type *Ty = Arg->getType();
    if (!Ty->isFPOrFPVectorTy() && !Ty->isIntOrIntVectorTy())
      return false;
    UsesFrom |= Ty->getScalarType() == From;
  }
  return UsesFrom;
}

bool FunctionRewriter::truncateMultiplyAdd(IntrinsicInst &Call) {
  Intrinsic::ID ID = Call.getIntrinsicID();
  if (ID != Intrinsic::fmuladd && (ID != Intrinsic::fma || !T.nativeType()))
    return false;
  IRBuilder<> B(&Call);
  Value *A = operand(B, Call.getArgOperand(0));
  Value *X = operand(B, Call.getArgOperand(1));
  Value *C = operand(B, Call.getArgOperand(2));
  Value *Result;
  if (ID == Intrinsic::fma) {
    // One rounding of the exact a*x+c, as the narrow type's fma does.
    Result = B.CreateIntrinsic(Intrinsic::fma, {A->getType()}, {A, X, C});
  } else {
    // The product and the sum each rounded, as two operations.
    B.setFastMathFlags(Call.getFastMathFlags());
    Value *Product = B.CreateFMul(A, X, Call.getName() + ".mul");
    if (!T.nativeType())
      Product = widened(B, Product);
    Result = B.CreateFAdd(Product, C);
  }
  replace(Call, widened(B, likeOriginal(Result, Call)));
  return true;
}

void FunctionRewriter::truncateMathCall(CallInst &Call) {
  if (auto *II = dyn_cast<IntrinsicInst>(&Call); II && truncateMultiplyAdd(*II))
    return;
  IRBuilder<> B(&Call);
  for (Use &Arg : Call.args())
    if (isFrom(Arg.get()))
      Arg.set(rounded(B, Arg.get()));
  if (!isFrom(&Call))
    return;
  SmallVector<Use *, 8> Uses;
  for (Use &U : Call.uses())
    Uses.push_back(&U);
  B.SetInsertPoint(Call.getNextNode());
  B.SetCurrentDebugLocation(Call.getDebugLoc());
  Value *Result =
      T.nativeType()
          ? widened(B,
                    B.CreateFPTrunc(
                        &Call, Call.getType()->getWithNewType(T.nativeType()),
                        Call.getName() + ".narrow"))
          : widened(B, &Call);
  for (Use *U : Uses)
    U->set(Result);
}

void FunctionRewriter::visitCallBase(CallBase &Call) {
  Function *Callee = Call.getCalledFunction();
  if (!Callee)
    return;
  if (!Callee->isDeclaration()) {
    if (Copying && !isRoundingHelper(*Callee))
      Call.setCalledFunction(T.copyOf(*Callee));
    return;
  }
  if (auto *Plain = dyn_cast<CallInst>(&Call);
      Plain && isMathCall(Call, *Callee, T.fromType()))
    truncateMathCall(*Plain);
}

void Truncator::rewrite(Function &F, bool Copying) {
  SmallVector<Instruction *, 64> Work;
  for (Instruction &I : instructions(F))
    Work.push_back(&I);
  FunctionRewriter Rewriter(*this, Copying);
  for (Instruction *I : Work)
    Rewriter.visit(*I);
}

Function *Truncator::copyWithoutRewriting(Function &F) {
  std::string Name = ("fluxion.truncate." + F.getName() + "." + T.str()).str();
  if (Function *Existing = M.getFunction(Name))
    return Existing;
  ValueToValueMapTy Map;
  Function *Copy = CloneFunction(&F, Map);
  Copy->setName(Name);
  Copy->setLinkage(GlobalValue::InternalLinkage);
  Copy->setVisibility(GlobalValue::DefaultVisibility);
  Copy->setComdat(nullptr);
  Copy->setDSOLocal(true);
  PendingCopies.push_back(Copy);
  return Copy;
}

Function *Truncator::copyOf(Function &F) {
  Function *Copy = copyWithoutRewriting(F);
  if (Draining)
    return Copy;
  // Rewriting a copy may ask for the copies of its callees; each is rewritten
  // once, here, however deep or recursive the calls.
  Draining = true;
  while (!PendingCopies.empty())
    rewrite(*PendingCopies.pop_back_val(), /*Copying=*/true);
  Draining = false;
  return Copy;
}

PreservedAnalyses TruncateAllPass::run(Module &M, ModuleAnalysisManager &) {
  Expected<SmallVector<Truncation, 2>> Truncations = parseTruncations(Spec);
  if (!Truncations) {
    M.getContext().diagnose(
        DiagnosticInfoGeneric("fluxion: -fluxion-truncate-all=" + Twine(Spec) +
                                  ": " + toString(Truncations.takeError()),
                              DS_Error));
    return PreservedAnalyses::all();
  }
  if (Truncations->empty())
    return PreservedAnalyses::all();
  SmallVector<Function *, 32> Defined;
  for (Function &F : M)
    if (!F.isDeclaration() && !isRoundingHelper(F))
      Defined.push_back(&F);
  for (const Truncation &T : *Truncations) {
    Truncator Rewriter(M, T);
    for (Function *F : Defined)
      Rewriter.rewrite(*F, /*Copying=*/false);
  }
  return PreservedAnalyses::none();
}

//===----------------------------------------------------------------------===//
// The builtins
//===----------------------------------------------------------------------===//

bool isTruncationBuiltin(BuiltinKind Kind) {
  return Kind == BuiltinKind::TruncateFunction ||
         Kind == BuiltinKind::TruncateValue || Kind == BuiltinKind::ExpandValue;
}

/// The formats of a builtin call: (FROM, TO) or (FROM, E, M) after its first
/// argument.
static Expected<Truncation> truncationOf(CallBase &Call, BuiltinKind Kind,
                                         StringRef Spelling) {
  StringRef First =
      Kind == BuiltinKind::TruncateFunction ? "function" : "value";
  if (Call.arg_size() != 3 && Call.arg_size() != 4)
    return failure(Spelling + " takes the " + First +
                   ", the width of its floating-point type and the width to "
                   "truncate to (or the exponent and mantissa widths)");
  SmallVector<unsigned, 3> Widths;
  for (unsigned I = 1; I < Call.arg_size(); ++I) {
    auto *C = dyn_cast<ConstantInt>(Call.getArgOperand(I));
    if (!C)
      return failure("the widths passed to " + Spelling +
                     " must be integer constants");
    Widths.push_back(C->getLimitedValue(std::numeric_limits<unsigned>::max()));
  }
  std::optional<FloatFormat> From = FloatFormat::ofWidth(Widths[0]);
  if (!From)
    return failure(Spelling + ": " + Twine(Widths[0]) +
                   " is not the width of a floating-point type (16, 32 or 64)");
  std::optional<FloatFormat> To = Widths.size() == 2
                                      ? FloatFormat::ofWidth(Widths[1])
                                      : FloatFormat{Widths[1], Widths[2]};
  if (!To)
    return failure(Spelling + ": " + Twine(Widths[1]) +
                   " is not the width of a floating-point format (16, 32, "
                   "64; pass exponent and mantissa widths for another)");
  Truncation T{*From, *To};
  if (Error E = checkTruncation(T))
    return failure(Spelling + ": " + toString(std::move(E)));
  return T;
}

/// Why \p Fn cannot be truncated from \p From: the floating-point type it
/// (or a function it calls) computes with, when it never uses \p From, or
/// a builtin it calls that would stay unlowered in the copy.
static Error checkTruncatable(Function &Fn, Type *From, StringRef Spelling) {
  SmallVector<Function *, 8> Worklist{&Fn};
  SmallPtrSet<Function *, 16> Seen{&Fn};
  Type *Other = nullptr;
  bool UsesFrom = false;
  auto See = [&](Type *Ty) {
    Ty = Ty->getScalarType();
    UsesFrom |= Ty == From;
    if (Ty->isFloatingPointTy() && Ty != From && !Other)
      Other = Ty;
  };
  while (!Worklist.empty()) {
    Function *F = Worklist.pop_back_val();
    See(F->getReturnType());
    for (Argument &A : F->args())
      See(A.getType());
    for (Instruction &I : instructions(*F)) {
      See(I.getType());
      for (Value *Op : I.operands())
        See(Op->getType());
      auto *Call = dyn_cast<CallBase>(&I);
      Function *Callee = Call ? Call->getCalledFunction() : nullptr;
      if (!Callee)
        continue;
      if (Callee->isDeclaration() && builtinKind(*Callee))
        return failure("cannot truncate '" + displayName(Fn) + "': '" +
                       displayName(*F) + "' calls " + builtinSpelling(*Callee));
      if (!Callee->isDeclaration() && !isRoundingHelper(*Callee) &&
          Seen.insert(Callee).second)
        Worklist.push_back(Callee);
    }
  }
  if (UsesFrom || !Other)
    return Error::success();
  std::string Found, Want;
  raw_string_ostream(Found) << *Other;
  raw_string_ostream(Want) << *From;
  return failure(Spelling + " truncates " + Want + " operations, but '" +
                 displayName(Fn) + "' computes with " + Found);
}

/// __enzyme_truncate_{op,mem}_func: the copy of the function.
static Expected<Value *> truncatedFunction(CallBase &Call, StringRef Spelling,
                                           const Truncation &T) {
  Function *Fn = differentiatedFunction(Call);
  if (!Fn)
    return failure("the first argument of " + Spelling +
                   " must be a function known at compile time, not a "
                   "function pointer computed at run time");
  if (Fn->isDeclaration())
    return failure("cannot truncate '" + displayName(*Fn) +
                   "': its body is not available in this translation unit");
  Module &M = *Call.getModule();
  Truncator Rewriter(M, T);
  if (Error E = checkTruncatable(*Fn, Rewriter.fromType(), Spelling))
    return E;
  Type *Want = Call.getType();
  if (!Want->isVoidTy() && !Want->isPointerTy() && !Want->isIntegerTy())
    return failure(Spelling + " returns a function pointer; declare it so");
  Function *Copy = Rewriter.copyOf(*Fn);
  IRBuilder<> B(&Call);
  if (Want->isVoidTy())
    return nullptr;
  if (Want->isIntegerTy())
    return B.CreatePtrToInt(Copy, Want);
  return B.CreatePointerBitCastOrAddrSpaceCast(Copy, Want);
}

/// __enzyme_truncate_mem_value and __enzyme_expand_mem_value: the value
/// rounded, or as it is (a truncated value is its FROM-typed number).
static Expected<Value *> convertedValue(CallBase &Call, BuiltinKind Kind,
                                        StringRef Spelling,
                                        const Truncation &T) {
  Module &M = *Call.getModule();
  Truncator Rewriter(M, T);
  Type *From = Rewriter.fromType();
  Value *X = Call.getArgOperand(0);
  // A float passed through `...` arrives promoted to double.
  if (auto *Ext = dyn_cast<FPExtInst>(X);
      Ext && Ext->getSrcTy() == From && X->getType() != From)
    X = Ext->getOperand(0);
  if (X->getType() != From) {
    std::string Got, Want;
    raw_string_ostream(Got) << *X->getType();
    raw_string_ostream(Want) << *From;
    return failure(Spelling + " converts a " + Want + " value; it was given " +
                   Got);
  }
  Type *Result = Call.getType();
  if (!Result->isVoidTy() && !Result->isFloatingPointTy())
    return failure(Spelling + " returns a floating-point value; declare it "
                              "so");
  IRBuilder<> B(&Call);
  if (Kind == BuiltinKind::TruncateValue)
    X = Rewriter.round(B, X);
  if (Result->isVoidTy())
    return nullptr;
  return B.CreateFPCast(X, Result);
}

Expected<Value *> lowerTruncationBuiltin(CallBase &Call, BuiltinKind Kind,
                                         StringRef Spelling) {
  Expected<Truncation> T = truncationOf(Call, Kind, Spelling);
  if (!T)
    return T.takeError();
  if (Kind == BuiltinKind::TruncateFunction)
    return truncatedFunction(Call, Spelling, *T);
  return convertedValue(Call, Kind, Spelling, *T);
}

} // namespace fluxion
