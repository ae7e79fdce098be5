//===- DerivativeRules.cpp - The table of elementwise derivative rules ----===//

#include "DerivativeRules.h"

#include "CustomRules.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Intrinsics.h"
#include "llvm/Support/CommandLine.h"

#include <cmath>

using namespace llvm;

static cl::opt<bool> StrictDerivativeMath(
    "fluxion-strict-fp", cl::init(false),
    cl::desc("Evaluate derivatives in the order their rules are written, "
             "without reassociating or contracting their arithmetic"));

namespace fluxion {

FastMathFlags derivativeMathFlags() {
  FastMathFlags Flags;
  if (StrictDerivativeMath)
    return Flags;
  Flags.setAllowReassoc();
  Flags.setAllowContract();
  Flags.setNoSignedZeros();
  return Flags;
}

IRRuleBuilder::Handle IRRuleBuilder::constant(double C) {
  return ConstantFP::get(ResultTy, C);
}
IRRuleBuilder::Handle IRRuleBuilder::add(Handle L, Handle R) {
  return B.CreateFAdd(value(L), value(R));
}
IRRuleBuilder::Handle IRRuleBuilder::sub(Handle L, Handle R) {
  return B.CreateFSub(value(L), value(R));
}
IRRuleBuilder::Handle IRRuleBuilder::mul(Handle L, Handle R) {
  return B.CreateFMul(value(L), value(R));
}
IRRuleBuilder::Handle IRRuleBuilder::div(Handle L, Handle R) {
  return B.CreateFDiv(value(L), value(R));
}
IRRuleBuilder::Handle IRRuleBuilder::neg(Handle X) {
  return B.CreateFNeg(value(X));
}

static Intrinsic::ID intrinsicOf(RuleBuilder::Math F) {
  using Math = RuleBuilder::Math;
  switch (F) {
  case Math::Sqrt:
    return Intrinsic::sqrt;
  case Math::Sin:
    return Intrinsic::sin;
  case Math::Cos:
    return Intrinsic::cos;
  case Math::Sinh:
    return Intrinsic::sinh;
  case Math::Cosh:
    return Intrinsic::cosh;
  case Math::Exp:
    return Intrinsic::exp;
  case Math::Exp2:
    return Intrinsic::exp2;
  case Math::Log:
    return Intrinsic::log;
  case Math::Log2:
    return Intrinsic::log2;
  case Math::Trunc:
    return Intrinsic::trunc;
  case Math::Floor:
    return Intrinsic::floor;
  case Math::Fabs:
    return Intrinsic::fabs;
  case Math::RoundEven:
    return Intrinsic::roundeven;
  }
  llvm_unreachable("unknown math function");
}

IRRuleBuilder::Handle IRRuleBuilder::math(Math F, Handle X) {
  return B.CreateUnaryIntrinsic(intrinsicOf(F), value(X));
}
IRRuleBuilder::Handle IRRuleBuilder::pow(Handle Base, Handle Exponent) {
  return B.CreateBinaryIntrinsic(Intrinsic::pow, value(Base), value(Exponent));
}
IRRuleBuilder::Handle IRRuleBuilder::copysign(Handle Magnitude, Handle Sign) {
  return B.CreateBinaryIntrinsic(Intrinsic::copysign, value(Magnitude),
                                 value(Sign));
}
IRRuleBuilder::Handle IRRuleBuilder::powi(Handle Base, Handle Exponent) {
  return B.CreateIntrinsic(Intrinsic::powi,
                           {value(Base)->getType(), value(Exponent)->getType()},
                           {value(Base), value(Exponent)});
}
IRRuleBuilder::Handle IRRuleBuilder::decrement(Handle Int) {
  return B.CreateSub(value(Int), ConstantInt::get(value(Int)->getType(), 1));
}
IRRuleBuilder::Handle IRRuleBuilder::intToFloat(Handle Int) {
  return B.CreateSIToFP(value(Int), ResultTy);
}
IRRuleBuilder::Handle IRRuleBuilder::compare(Compare P, Handle L, Handle R) {
  switch (P) {
  case Compare::OrderedEqual:
    return B.CreateFCmpOEQ(value(L), value(R));
  case Compare::OrderedLess:
    return B.CreateFCmpOLT(value(L), value(R));
  case Compare::OrderedLessEqual:
    return B.CreateFCmpOLE(value(L), value(R));
  case Compare::OrderedGreater:
    return B.CreateFCmpOGT(value(L), value(R));
  }
  llvm_unreachable("unknown comparison");
}
IRRuleBuilder::Handle IRRuleBuilder::both(Handle A, Handle C) {
  return B.CreateAnd(value(A), value(C));
}
IRRuleBuilder::Handle IRRuleBuilder::negate(Handle Condition) {
  return B.CreateNot(value(Condition));
}
IRRuleBuilder::Handle IRRuleBuilder::select(Handle Condition, Handle T,
                                            Handle F) {
  return B.CreateSelect(value(Condition), value(T), value(F));
}

Value *evaluatePartial(IRBuilderBase &B, Type *ResultTy,
                       function_ref<Value *(int Operand)> Fetch,
                       PartialFn Partial) {
  IRRuleBuilder Builder(B, ResultTy, Fetch);
  return IRRuleBuilder::value(Partial(RuleOperands(Builder)).get());
}

Constant *additiveIdentity(Type *Ty) {
  if (Ty->isFPOrFPVectorTy())
    return ConstantFP::getNegativeZero(Ty);
  if (auto *ST = dyn_cast<StructType>(Ty)) {
    SmallVector<Constant *, 4> Fields;
    for (Type *Field : ST->elements())
      Fields.push_back(additiveIdentity(Field));
    return ConstantStruct::get(ST, Fields);
  }
  if (auto *AT = dyn_cast<ArrayType>(Ty))
    return ConstantArray::get(
        AT, SmallVector<Constant *, 4>(AT->getNumElements(),
                                       additiveIdentity(AT->getElementType())));
  return Constant::getNullValue(Ty);
}

namespace {

/// The row of an NVVM intrinsic (its name without "llvm."): nvvm.<op>
/// followed by rounding, flush-to-zero, precision and type suffixes takes
/// <op>'s row whatever those say, an approximation differentiating as what
/// it approximates (nvvm.ex2.approx.ftz.f is exp2). Variants that compute
/// something else (xorsign.abs, relu, sat) have none.
StringRef nvvmRowName(StringRef Name) {
  if (!Name.consume_front("nvvm."))
    return "";
  SmallVector<StringRef, 6> Parts;
  Name.split(Parts, '.');
  if (any_of(drop_begin(Parts), [](StringRef Part) {
        return Part == "xorsign" || Part == "relu" || Part == "sat";
      }))
    return "";
  return StringSwitch<StringRef>(Parts.front())
      .Case("add", "fadd")
      .Case("mul", "fmul")
      .Case("div", "fdiv")
      .Case("ex2", "exp2")
      .Case("lg2", "log2")
      .Cases({"fma", "sqrt", "rsqrt", "rcp", "sin", "cos", "tanh", "fabs",
              "fmin", "fmax", "saturate", "floor", "ceil", "trunc", "round"},
             Parts.front())
      .Default("");
}

} // namespace

const ElementwiseRule *findElementwiseRule(const Instruction &I) {
  if (const auto *Call = dyn_cast<CallBase>(&I)) {
    const Function *Callee = Call->getCalledFunction();
    if (!Callee)
      return nullptr;
    if (!Call->getType()->isFPOrFPVectorTy() ||
        !all_of(Call->args(), [](const Use &U) {
          return U->getType()->isFPOrFPVectorTy() ||
                 U->getType()->isIntegerTy() || U->getType()->isPointerTy();
        }))
      return nullptr;
    const ElementwiseRule *Rule = nullptr;
    if (Callee->isIntrinsic()) {
      StringRef Name =
          Intrinsic::getBaseName(Callee->getIntrinsicID()).drop_front(5);
      StringRef NvvmRow = nvvmRowName(Name);
      Rule = findRuleByName(NvvmRow.empty() ? Name : NvvmRow);
    }
    // Registered as behaving like a libm function (CustomRules.h).
    else if (StringRef Like = functionLikeName(*Callee); !Like.empty())
      Rule = findRuleByName(Like);
    // A defined function of the same name as a libm function is the user's
    // own and is differentiated through its body; libdevice's are not.
    else if (Callee->isDeclaration() || Callee->getName().starts_with("__nv_"))
      Rule = findRuleByName(Callee->getName());
    // A function of a libm name but fewer parameters is something else; a
    // pointer may only be an output the derivative does not read (frexp's
    // exponent).
    unsigned Used = 0;
    if (Rule)
      for (auto [Idx, Partial] : enumerate(Rule->Partials))
        if (Partial) {
          Used = Idx + 1;
          if (Idx < Call->arg_size() &&
              Call->getArgOperand(Idx)->getType()->isPointerTy())
            return nullptr;
        }
    return Rule && Call->arg_size() >= Used ? Rule : nullptr;
  }
  if (!I.getType()->isFPOrFPVectorTy())
    return nullptr;
  return findRuleByName(I.getOpcodeName());
}

Value *scaleByPartial(IRBuilderBase &B, Value *Partial, Value *Seed) {
  if (auto *C = dyn_cast<ConstantFP>(Partial)) {
    if (C->isExactlyValue(1.0))
      return Seed;
    if (C->isExactlyValue(-1.0))
      return B.CreateFNeg(Seed);
  }
  if (auto *C = dyn_cast<Constant>(Partial)) {
    if (auto *Splat = dyn_cast_or_null<ConstantFP>(C->getSplatValue())) {
      if (Splat->isExactlyValue(1.0))
        return Seed;
      if (Splat->isExactlyValue(-1.0))
        return B.CreateFNeg(Seed);
    }
  }
  return B.CreateFMul(Partial, Seed);
}

} // namespace fluxion
