//===- RuleTable.cpp - Elementwise derivative rules, for any IR -----------===//

#include "RuleTable.h"

#include "llvm/ADT/StringMap.h"

using namespace llvm;

namespace fluxion {

Expr operator+(Expr L, Expr R) {
  return L.with(L.builder().add(L.get(), R.get()));
}
Expr operator-(Expr L, Expr R) {
  return L.with(L.builder().sub(L.get(), R.get()));
}
Expr operator*(Expr L, Expr R) {
  return L.with(L.builder().mul(L.get(), R.get()));
}
Expr operator/(Expr L, Expr R) {
  return L.with(L.builder().div(L.get(), R.get()));
}
Expr operator-(Expr E) { return E.with(E.builder().neg(E.get())); }
Expr operator*(double C, Expr E) { return E.constant(C) * E; }
Expr operator+(double C, Expr E) { return E.constant(C) + E; }
Expr operator-(double C, Expr E) { return E.constant(C) - E; }
Expr operator/(double C, Expr E) { return E.constant(C) / E; }

namespace {

using Math = RuleBuilder::Math;
using Compare = RuleBuilder::Compare;

Expr unary(Math F, Expr E) { return E.with(E.builder().math(F, E.get())); }
Expr sqrt(Expr E) { return unary(Math::Sqrt, E); }
Expr sin(Expr E) { return unary(Math::Sin, E); }
Expr cos(Expr E) { return unary(Math::Cos, E); }
Expr sinh(Expr E) { return unary(Math::Sinh, E); }
Expr cosh(Expr E) { return unary(Math::Cosh, E); }
Expr exp(Expr E) { return unary(Math::Exp, E); }
Expr log(Expr E) { return unary(Math::Log, E); }
Expr trunc(Expr E) { return unary(Math::Trunc, E); }
Expr pow(Expr L, Expr R) { return L.with(L.builder().pow(L.get(), R.get())); }
Expr copysign(Expr Mag, Expr Sign) {
  return Mag.with(Mag.builder().copysign(Mag.get(), Sign.get()));
}
Expr powi(Expr Base, Expr Exponent) {
  return Base.with(Base.builder().powi(Base.get(), Exponent.get()));
}
/// 1 where \p Cond holds, else 0, in the type of \p Like.
Expr indicator(RuleBuilder::Handle Cond, Expr Like) {
  RuleBuilder &B = Like.builder();
  return Like.with(B.select(Cond, B.constant(1), B.constant(0)));
}
Expr square(Expr E) { return E * E; }
Expr lessOrEqual(Expr L, Expr R, bool Invert) {
  RuleBuilder &B = L.builder();
  RuleBuilder::Handle Cond =
      B.compare(Compare::OrderedLessEqual, L.get(), R.get());
  if (Invert)
    Cond = B.negate(Cond);
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
  RuleBuilder &B = r.builder();
  auto IsZero = B.compare(Compare::OrderedEqual, r.y().get(), B.constant(0));
  Expr Partial = r.y() * log(r.x(0));
  return r.y().with(B.select(IsZero, B.constant(0), Partial.get()));
}

// Norms at the origin: the partials x_i / |x| are 0/0 there, where every
// direction's derivative is the norm of the tangent; 0, in the norm's
// subdifferential, is what a function that stays at the origin (whose
// tangents are 0 too) needs.
Expr overNorm(R r, unsigned I) {
  RuleBuilder &B = r.builder();
  auto AtOrigin = B.compare(Compare::OrderedEqual, r.y().get(), B.constant(0));
  Expr Partial = r.x(I) / r.y();
  return r.y().with(B.select(AtOrigin, B.constant(0), Partial.get()));
}
// atan2 at the origin: x_i / (x0^2 + x1^2) is 0/0 there; taken as 0 too.
Expr atan2Partial(R r, unsigned Numerator, double Sign) {
  RuleBuilder &B = r.builder();
  Expr Denominator = square(r.x(0)) + square(r.x(1));
  auto AtOrigin =
      B.compare(Compare::OrderedEqual, Denominator.get(), B.constant(0));
  Expr Partial = Sign * r.x(Numerator) / Denominator;
  return r.y().with(B.select(AtOrigin, B.constant(0), Partial.get()));
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
       Expr NMinusOne = r.x(1).with(r.builder().decrement(r.x(1).get()));
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
     {[](R r) { return atan2Partial(r, 1, 1.0); },
      [](R r) { return atan2Partial(r, 0, -1.0); }}},
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
     {[](R r) { return overNorm(r, 0); }, [](R r) { return overNorm(r, 1); }}},
    {"erf", {[](R r) { return TwoOverSqrtPi * exp(-square(r.x(0))); }}},
    {"erfc", {[](R r) { return -TwoOverSqrtPi * exp(-square(r.x(0))); }}},
    {"fmin", {minFirst, minSecond}},
    {"fmax", {maxFirst, maxSecond}},
    {"fabs", {[](R r) { return copysign(r.constant(1), r.x(0)); }}},
    {"fmod", {one, [](R r) { return -trunc(r.x(0) / r.x(1)); }}},
    {"remainder",
     {one, [](R r) { return -unary(Math::RoundEven, r.x(0) / r.x(1)); }}},
    {"fdim",
     {[](R r) { return lessOrEqual(r.x(0), r.x(1), true); },
      [](R r) { return -lessOrEqual(r.x(0), r.x(1), true); }}},
    {"ldexp", {[](R r) { return unary(Math::Exp2, r.intAsFloat(1)); }}},
    // frexp(x, &e) = x * 2^-e with e = floor(log2 |x|) + 1; e is an output.
    {"frexp", {[](R r) {
       Expr Exponent =
           unary(Math::Floor, unary(Math::Log2, unary(Math::Fabs, r.x(0))));
       return unary(Math::Exp2, -1.0 - Exponent);
     }}},
    {"scalbn", {[](R r) { return unary(Math::Exp2, r.intAsFloat(1)); }}},
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
     {[](R r) { return overNorm(r, 0); }, [](R r) { return overNorm(r, 1); },
      [](R r) { return overNorm(r, 2); }}},
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
       RuleBuilder &B = r.builder();
       auto Above =
           B.compare(Compare::OrderedGreater, r.x(0).get(), B.constant(0));
       auto Below =
           B.compare(Compare::OrderedLess, r.x(0).get(), B.constant(1));
       return indicator(B.both(Above, Below), r.x(0));
     }}},
};

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

ArrayRef<ElementwiseRule> elementwiseRules() { return Rules; }

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

} // namespace fluxion
