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

Expr Expr::constant(double C) const {
  return with(ConstantFP::get(V->getType(), C));
}

Expr operator+(Expr L, Expr R) {
  return L.with(L.builder().CreateFAdd(L.get(), R.get()));
}
Expr operator-(Expr L, Expr R) {
  return L.with(L.builder().CreateFSub(L.get(), R.get()));
}
Expr operator*(Expr L, Expr R) {
  return L.with(L.builder().CreateFMul(L.get(), R.get()));
}
Expr operator/(Expr L, Expr R) {
  return L.with(L.builder().CreateFDiv(L.get(), R.get()));
}
Expr operator-(Expr E) { return E.with(E.builder().CreateFNeg(E.get())); }
Expr operator*(double C, Expr E) { return E.constant(C) * E; }
Expr operator+(double C, Expr E) { return E.constant(C) + E; }
Expr operator-(double C, Expr E) { return E.constant(C) - E; }
Expr operator/(double C, Expr E) { return E.constant(C) / E; }

Expr RuleOperands::intAsFloat(unsigned I) const {
  return Expr(B, B.CreateSIToFP(F(I), ResultTy));
}

Expr RuleOperands::constant(double C) const {
  return Expr(B, ConstantFP::get(ResultTy, C));
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

Expr unary(Intrinsic::ID ID, Expr E) {
  return E.with(E.builder().CreateUnaryIntrinsic(ID, E.get()));
}
Expr binary(Intrinsic::ID ID, Expr L, Expr R) {
  return L.with(L.builder().CreateBinaryIntrinsic(ID, L.get(), R.get()));
}
Expr sqrt(Expr E) { return unary(Intrinsic::sqrt, E); }
Expr sin(Expr E) { return unary(Intrinsic::sin, E); }
Expr cos(Expr E) { return unary(Intrinsic::cos, E); }
Expr sinh(Expr E) { return unary(Intrinsic::sinh, E); }
Expr cosh(Expr E) { return unary(Intrinsic::cosh, E); }
Expr exp(Expr E) { return unary(Intrinsic::exp, E); }
Expr log(Expr E) { return unary(Intrinsic::log, E); }
Expr trunc(Expr E) { return unary(Intrinsic::trunc, E); }
Expr pow(Expr L, Expr R) { return binary(Intrinsic::pow, L, R); }
Expr copysign(Expr Mag, Expr Sign) {
  return binary(Intrinsic::copysign, Mag, Sign);
}
Expr powi(Expr Base, Value *Exponent) {
  IRBuilderBase &B = Base.builder();
  return Base.with(B.CreateIntrinsic(
      Intrinsic::powi, {Base.get()->getType(), Exponent->getType()},
      {Base.get(), Exponent}));
}
/// 1 where \p Cond holds, else 0, in the type of \p Like.
Expr indicator(Value *Cond, Expr Like) {
  return Like.with(Like.builder().CreateSelect(Cond, Like.constant(1).get(),
                                               Like.constant(0).get()));
}
Expr square(Expr E) { return E * E; }
Expr lessOrEqual(Expr L, Expr R, bool Invert) {
  IRBuilderBase &B = L.builder();
  Value *Cond = B.CreateFCmpOLE(L.get(), R.get());
  if (Invert)
    Cond = B.CreateNot(Cond);
  return indicator(Cond, L);
}

constexpr double Pi = 3.141592653589793;
constexpr double TwoOverSqrtPi = 1.1283791670955126;
constexpr double SqrtPiOverTwo = 0.8862269254527580;
constexpr double SqrtTwoPi = 2.5066282746310002;
constexpr double Ln2 = 0.6931471805599453;
constexpr double Ln10 = 2.302585092994046;

using R = const RuleOperands &;

// Ties of min/max send the derivative to the first operand, as Enzyme does.
Expr minFirst(R r) { return lessOrEqual(r.x(0), r.x(1), false); }
Expr minSecond(R r) { return lessOrEqual(r.x(0), r.x(1), true); }
Expr maxFirst(R r) { return lessOrEqual(r.x(1), r.x(0), false); }
Expr maxSecond(R r) { return lessOrEqual(r.x(1), r.x(0), true); }
Expr one(R r) { return r.constant(1); }
Expr minusOne(R r) { return r.constant(-1); }
Expr powBase(R r) { return r.x(1) * pow(r.x(0), r.x(1) - r.constant(1)); }
// d/dy x^y = x^y log x, taken as 0 where x^y is 0 (x = 0, y > 0).
Expr powExponent(R r) {
  IRBuilderBase &B = r.y().builder();
  Value *IsZero = B.CreateFCmpOEQ(r.y().get(), r.y().constant(0).get());
  Expr Partial = r.y() * log(r.x(0));
  return r.y().with(
      B.CreateSelect(IsZero, r.y().constant(0).get(), Partial.get()));
}

// One row per operation. Names are LLVM opcodes and libm names; an intrinsic
// uses the row of its base name without "llvm." (llvm.sin is sin), and libm's
// float (f) and long double (l) variants share the row.
const ElementwiseRule Rules[] = {
    // Instructions.
    {"fneg", {minusOne}},
    {"fadd", {one, one}},
    {"fsub", {one, minusOne}},
    {"fmul", {[](R r) { return r.x(1); }, [](R r) { return r.x(0); }}},
    // One division: both partials share 1 / x1.
    {"fdiv",
     {[](R r) { return 1.0 / r.x(1); },
      [](R r) { return -r.y() * (1.0 / r.x(1)); }}},
    {"frem", {one, [](R r) { return -trunc(r.x(0) / r.x(1)); }}},
    // Intrinsics without a libm counterpart.
    {"powi", {[](R r) {
       IRBuilderBase &B = r.y().builder();
       Value *N = r.x(1).get();
       Value *NMinusOne = B.CreateSub(N, ConstantInt::get(N->getType(), 1));
       return r.intAsFloat(1) * powi(r.x(0), NMinusOne);
     }}},
    {"fma", {[](R r) { return r.x(1); }, [](R r) { return r.x(0); }, one}},
    {"fmuladd", {[](R r) { return r.x(1); }, [](R r) { return r.x(0); }, one}},
    {"minnum", {minFirst, minSecond}},
    {"maxnum", {maxFirst, maxSecond}},
    {"minimum", {minFirst, minSecond}},
    {"maximum", {maxFirst, maxSecond}},
    {"minimumnum", {minFirst, minSecond}},
    {"maximumnum", {maxFirst, maxSecond}},
    {"roundeven", {}},
    // libm functions and the intrinsics of the same name.
    {"sqrt", {[](R r) { return 0.5 / r.y(); }}},
    {"sin", {[](R r) { return cos(r.x(0)); }}},
    {"cos", {[](R r) { return -sin(r.x(0)); }}},
    {"tan", {[](R r) { return 1.0 + square(r.y()); }}},
    {"asin", {[](R r) { return 1.0 / sqrt(1.0 - square(r.x(0))); }}},
    {"acos", {[](R r) { return -1.0 / sqrt(1.0 - square(r.x(0))); }}},
    {"atan", {[](R r) { return 1.0 / (1.0 + square(r.x(0))); }}},
    {"atan2",
     {[](R r) { return r.x(1) / (square(r.x(0)) + square(r.x(1))); },
      [](R r) { return -r.x(0) / (square(r.x(0)) + square(r.x(1))); }}},
    {"asinh", {[](R r) { return 1.0 / sqrt(1.0 + square(r.x(0))); }}},
    {"acosh", {[](R r) { return 1.0 / sqrt(square(r.x(0)) - r.constant(1)); }}},
    {"atanh", {[](R r) { return 1.0 / (1.0 - square(r.x(0))); }}},
    {"sinh", {[](R r) { return cosh(r.x(0)); }}},
    {"cosh", {[](R r) { return sinh(r.x(0)); }}},
    {"tanh", {[](R r) { return 1.0 - square(r.y()); }}},
    {"exp", {[](R r) { return r.y(); }}},
    {"exp2", {[](R r) { return Ln2 * r.y(); }}},
    {"exp10", {[](R r) { return Ln10 * r.y(); }}},
    {"expm1", {[](R r) { return 1.0 + r.y(); }}},
    {"log", {[](R r) { return 1.0 / r.x(0); }}},
    {"log2", {[](R r) { return 1.0 / (Ln2 * r.x(0)); }}},
    {"log10", {[](R r) { return 1.0 / (Ln10 * r.x(0)); }}},
    {"log1p", {[](R r) { return 1.0 / (1.0 + r.x(0)); }}},
    {"pow", {powBase, powExponent}},
    {"cbrt", {[](R r) { return 1.0 / (3.0 * square(r.y())); }}},
    {"hypot",
     {[](R r) { return r.x(0) / r.y(); }, [](R r) { return r.x(1) / r.y(); }}},
    {"erf", {[](R r) { return TwoOverSqrtPi * exp(-square(r.x(0))); }}},
    {"erfc", {[](R r) { return -TwoOverSqrtPi * exp(-square(r.x(0))); }}},
    {"fmin", {minFirst, minSecond}},
    {"fmax", {maxFirst, maxSecond}},
    {"fabs", {[](R r) { return copysign(r.constant(1), r.x(0)); }}},
    {"fmod", {one, [](R r) { return -trunc(r.x(0) / r.x(1)); }}},
    {"remainder",
     {one, [](R r) { return -unary(Intrinsic::roundeven, r.x(0) / r.x(1)); }}},
    {"fdim",
     {[](R r) { return lessOrEqual(r.x(0), r.x(1), true); },
      [](R r) { return -lessOrEqual(r.x(0), r.x(1), true); }}},
    {"ldexp", {[](R r) { return unary(Intrinsic::exp2, r.intAsFloat(1)); }}},
    // frexp(x, &e) = x * 2^-e with e = floor(log2 |x|) + 1; e is an output.
    {"frexp", {[](R r) {
       Expr Exponent =
           unary(Intrinsic::floor,
                 unary(Intrinsic::log2, unary(Intrinsic::fabs, r.x(0))));
       return unary(Intrinsic::exp2, -1.0 - Exponent);
     }}},
    {"scalbn", {[](R r) { return unary(Intrinsic::exp2, r.intAsFloat(1)); }}},
    {"copysign",
     {[](R r) {
        return copysign(r.constant(1), r.x(0)) *
               copysign(r.constant(1), r.x(1));
      },
      nullptr}},
    {"floor", {}},
    {"ceil", {}},
    {"trunc", {}},
    {"round", {}},
    {"rint", {}},
    {"nearbyint", {}},
    // CUDA's math functions beyond libm (libdevice's __nv_rsqrt, ...).
    {"rsqrt", {[](R r) { return -0.5 * r.y() * square(r.y()); }}},
    {"rcbrt", {[](R r) { return (-1.0 / 3.0) * square(square(r.y())); }}},
    {"rcp", {[](R r) { return -square(r.y()); }}},
    {"rhypot",
     {[](R r) { return -r.x(0) * r.y() * square(r.y()); },
      [](R r) { return -r.x(1) * r.y() * square(r.y()); }}},
    {"norm3d",
     {[](R r) { return r.x(0) / r.y(); }, [](R r) { return r.x(1) / r.y(); },
      [](R r) { return r.x(2) / r.y(); }}},
    {"rnorm3d",
     {[](R r) { return -r.x(0) * r.y() * square(r.y()); },
      [](R r) { return -r.x(1) * r.y() * square(r.y()); },
      [](R r) { return -r.x(2) * r.y() * square(r.y()); }}},
    {"sinpi", {[](R r) { return Pi * cos(Pi * r.x(0)); }}},
    {"cospi", {[](R r) { return -Pi * sin(Pi * r.x(0)); }}},
    {"normcdf",
     {[](R r) { return (1.0 / SqrtTwoPi) * exp(-0.5 * square(r.x(0))); }}},
    {"normcdfinv", {[](R r) { return SqrtTwoPi * exp(0.5 * square(r.y())); }}},
    {"erfinv", {[](R r) { return SqrtPiOverTwo * exp(square(r.y())); }}},
    {"erfcinv", {[](R r) { return -SqrtPiOverTwo * exp(square(r.y())); }}},
    {"erfcx",
     {[](R r) { return 2.0 * r.x(0) * r.y() - r.constant(TwoOverSqrtPi); }}},
    {"saturate", {[](R r) {
       IRBuilderBase &B = r.y().builder();
       Value *Above = B.CreateFCmpOGT(r.x(0).get(), r.constant(0).get());
       Value *Below = B.CreateFCmpOLT(r.x(0).get(), r.constant(1).get());
       return indicator(B.CreateAnd(Above, Below), r.x(0));
     }}},
};

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

const StringMap<const ElementwiseRule *> &ruleIndex() {
  static const StringMap<const ElementwiseRule *> Index = [] {
    StringMap<const ElementwiseRule *> Map;
    for (const ElementwiseRule &Rule : Rules)
      Map[Rule.Name] = &Rule;
    return Map;
  }();
  return Index;
}

} // namespace

const ElementwiseRule *findRuleByName(StringRef Name) {
  const auto &Index = ruleIndex();
  // libdevice's __nv_sin is sin.
  Name.consume_front("__nv_");
  auto It = Index.find(Name);
  if (It != Index.end())
    return It->second;
  // sinf, sinl: the float and long double variants of a libm function.
  if (Name.ends_with("f") || Name.ends_with("l")) {
    It = Index.find(Name.drop_back());
    if (It != Index.end())
      return It->second;
  }
  return nullptr;
}

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
