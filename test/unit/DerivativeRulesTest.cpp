//===- DerivativeRulesTest.cpp - Every rule row against finite differences ===//
//
// Each partial derivative in the rule table is emitted as IR on constant
// operands, folded to a number by LLVM's constant folder, and compared with a
// central finite difference of the host's libm function.
//
//===----------------------------------------------------------------------===//

#include "DerivativeRules.h"

#include "llvm/Analysis/ConstantFolding.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/Module.h"

#include "gtest/gtest.h"

#include <cmath>
#include <functional>

using namespace llvm;
using namespace fluxion;

namespace {

using HostFn = std::function<double(double, double)>;

struct RuleCase {
  const char *Name;
  unsigned Arity;
  HostFn Host;
  double X0, X1;
};

void PrintTo(const RuleCase &Case, std::ostream *OS) { *OS << Case.Name; }

/// Evaluates partial \p Operand of \p Rule at (X0, X1) by constant folding.
double evaluatePartial(const ElementwiseRule &Rule, unsigned Operand,
                       const RuleCase &Case) {
  LLVMContext Ctx;
  Module M("rules", Ctx);
  Type *F64 = Type::getDoubleTy(Ctx);
  Function *Probe = Function::Create(FunctionType::get(F64, false),
                                     GlobalValue::ExternalLinkage, "probe", M);
  IRBuilder<> B(BasicBlock::Create(Ctx, "entry", Probe));
  Value *Args[2] = {ConstantFP::get(F64, Case.X0),
                    ConstantFP::get(F64, Case.X1)};
  Value *Result = ConstantFP::get(F64, Case.Host(Case.X0, Case.X1));
  auto Fetch = [&](int Idx) -> Value * { return Idx < 0 ? Result : Args[Idx]; };
  Value *Partial =
      fluxion::evaluatePartial(B, F64, Fetch, Rule.Partials[Operand]);
  B.CreateRet(Partial);

  const DataLayout &DL = M.getDataLayout();
  for (Instruction &I : make_early_inc_range(Probe->getEntryBlock())) {
    if (Constant *C = ConstantFoldInstruction(&I, DL)) {
      I.replaceAllUsesWith(C);
      I.eraseFromParent();
    }
  }
  auto *Ret = cast<ReturnInst>(Probe->getEntryBlock().getTerminator());
  auto *Folded = dyn_cast<ConstantFP>(Ret->getReturnValue());
  EXPECT_NE(Folded, nullptr) << Case.Name << ": partial did not fold";
  return Folded ? Folded->getValueAPF().convertToDouble() : NAN;
}

double centralDifference(const RuleCase &Case, unsigned Operand) {
  const double H = 1e-6;
  double P[2] = {Case.X0, Case.X1}, M[2] = {Case.X0, Case.X1};
  P[Operand] += H;
  M[Operand] -= H;
  return (Case.Host(P[0], P[1]) - Case.Host(M[0], M[1])) / (2 * H);
}

HostFn unary(double (*F)(double)) {
  return [F](double X, double) { return F(X); };
}
HostFn binary(double (*F)(double, double)) { return F; }

/// The inverse of increasing \p F on [Lo, Hi] at \p Y, by bisection.
double inverse(double (*F)(double), double Y, double Lo, double Hi) {
  for (int Step = 0; Step < 200; ++Step) {
    double Mid = 0.5 * (Lo + Hi);
    (F(Mid) < Y ? Lo : Hi) = Mid;
  }
  return 0.5 * (Lo + Hi);
}
double normcdf(double X) { return 0.5 * std::erfc(-X / std::sqrt(2.0)); }
double minusErfc(double X) { return -std::erfc(X); }

class RuleRows : public ::testing::TestWithParam<RuleCase> {};

TEST_P(RuleRows, PartialsMatchFiniteDifferences) {
  const RuleCase &Case = GetParam();
  const ElementwiseRule *Rule = findRuleByName(Case.Name);
  ASSERT_NE(Rule, nullptr) << Case.Name;
  for (unsigned Operand = 0; Operand < Case.Arity; ++Operand) {
    if (!Rule->Partials[Operand])
      continue;
    double Expected = centralDifference(Case, Operand);
    double Got = evaluatePartial(*Rule, Operand, Case);
    // Central differences with h = 1e-6 are accurate to about 1e-9 here.
    EXPECT_NEAR(Got, Expected, 1e-6 * std::max(1.0, std::fabs(Expected)))
        << Case.Name << " operand " << Operand;
  }
}

const RuleCase Cases[] = {
    {"fadd", 2, [](double A, double B) { return A + B; }, 0.3, 1.7},
    {"fsub", 2, [](double A, double B) { return A - B; }, 0.3, 1.7},
    {"fmul", 2, [](double A, double B) { return A * B; }, 0.3, 1.7},
    {"fdiv", 2, [](double A, double B) { return A / B; }, 0.3, 1.7},
    {"fneg", 1, [](double A, double) { return -A; }, 0.3, 0},
    {"frem", 2, binary(std::fmod), 5.3, 1.7},
    {"sqrt", 1, unary(std::sqrt), 1.3, 0},
    {"sin", 1, unary(std::sin), 0.4, 0},
    {"cos", 1, unary(std::cos), 0.4, 0},
    {"tan", 1, unary(std::tan), 0.4, 0},
    {"asin", 1, unary(std::asin), 0.4, 0},
    {"acos", 1, unary(std::acos), 0.4, 0},
    {"atan", 1, unary(std::atan), 0.4, 0},
    {"atan2", 2, binary(std::atan2), 0.4, -1.3},
    {"sinh", 1, unary(std::sinh), 0.4, 0},
    {"cosh", 1, unary(std::cosh), 0.4, 0},
    {"tanh", 1, unary(std::tanh), 0.4, 0},
    {"exp", 1, unary(std::exp), 0.4, 0},
    {"exp2", 1, unary(std::exp2), 0.4, 0},
    {"expm1", 1, unary(std::expm1), 0.4, 0},
    {"log", 1, unary(std::log), 1.4, 0},
    {"log2", 1, unary(std::log2), 1.4, 0},
    {"log10", 1, unary(std::log10), 1.4, 0},
    {"log1p", 1, unary(std::log1p), 0.4, 0},
    {"pow", 2, binary(std::pow), 1.4, 2.3},
    {"cbrt", 1, unary(std::cbrt), 1.4, 0},
    {"hypot", 2, binary(std::hypot), 1.4, -0.3},
    {"erf", 1, unary(std::erf), 0.4, 0},
    {"erfc", 1, unary(std::erfc), 0.4, 0},
    {"fmin", 2, binary(std::fmin), 0.4, 0.9},
    {"fmax", 2, binary(std::fmax), 0.4, 0.9},
    {"fabs", 1, unary(std::fabs), -0.4, 0},
    {"fmod", 2, binary(std::fmod), 5.3, 1.7},
    {"copysign", 2, binary(std::copysign), 0.4, -2.0},
    {"fma", 2, [](double A, double B) { return std::fma(A, B, 0.5); }, 0.4,
     1.3},
    {"asinh", 1, unary(std::asinh), 0.4, 0},
    {"acosh", 1, unary(std::acosh), 1.4, 0},
    {"atanh", 1, unary(std::atanh), 0.4, 0},
    {"remainder", 2, binary(std::remainder), 5.3, 1.7},
    {"fdim", 2, binary(std::fdim), 1.4, 0.9},
    {"frexp", 1,
     [](double A, double) {
       int Exponent;
       return std::frexp(A, &Exponent);
     },
     -2.7, 0},
    {"rsqrt", 1, [](double A, double) { return 1 / std::sqrt(A); }, 1.3, 0},
    {"rcbrt", 1, [](double A, double) { return 1 / std::cbrt(A); }, 1.3, 0},
    {"rcp", 1, [](double A, double) { return 1 / A; }, 1.3, 0},
    {"rhypot", 2, [](double A, double B) { return 1 / std::hypot(A, B); }, 1.4,
     -0.3},
    {"sinpi", 1, [](double A, double) { return std::sin(M_PI * A); }, 0.3, 0},
    {"cospi", 1, [](double A, double) { return std::cos(M_PI * A); }, 0.3, 0},
    {"normcdf", 1, [](double A, double) { return normcdf(A); }, 0.4, 0},
    {"normcdfinv", 1,
     [](double A, double) { return inverse(normcdf, A, -10, 10); }, 0.3, 0},
    {"erfinv", 1, [](double A, double) { return inverse(std::erf, A, -6, 6); },
     0.3, 0},
    {"erfcinv", 1,
     [](double A, double) { return inverse(minusErfc, -A, -6, 6); }, 0.3, 0},
    {"erfcx", 1,
     [](double A, double) { return std::exp(A * A) * std::erfc(A); }, 0.4, 0},
    {"saturate", 1,
     [](double A, double) { return std::fmin(std::fmax(A, 0.0), 1.0); }, 0.4,
     0},
};

INSTANTIATE_TEST_SUITE_P(AllRows, RuleRows, ::testing::ValuesIn(Cases),
                         [](const auto &Info) {
                           return std::string(Info.param.Name);
                         });

TEST(RuleLookup, FloatAndLongDoubleVariantsShareTheRow) {
  EXPECT_EQ(findRuleByName("sinf"), findRuleByName("sin"));
  EXPECT_EQ(findRuleByName("expl"), findRuleByName("exp"));
  EXPECT_EQ(findRuleByName("erff"), findRuleByName("erf"));
  EXPECT_EQ(findRuleByName("not_a_function"), nullptr);
}

/// The rule of a call of the NVVM intrinsic \p Name on float operands.
const ElementwiseRule *nvvmRule(StringRef Name, unsigned Operands) {
  LLVMContext Ctx;
  Module M("nvvm", Ctx);
  Type *F32 = Type::getFloatTy(Ctx);
  SmallVector<Type *, 3> Params(Operands, F32);
  FunctionCallee Callee =
      M.getOrInsertFunction(Name, FunctionType::get(F32, Params, false));
  Function *Caller = Function::Create(FunctionType::get(F32, false),
                                      GlobalValue::ExternalLinkage, "f", M);
  IRBuilder<> B(BasicBlock::Create(Ctx, "entry", Caller));
  SmallVector<Value *, 3> Args(Operands, ConstantFP::get(F32, 0.5));
  CallInst *Call = B.CreateCall(Callee, Args);
  B.CreateRet(Call);
  return findElementwiseRule(*Call);
}

TEST(RuleLookup, NvvmIntrinsicsTakeTheRowOfWhatTheyCompute) {
  EXPECT_EQ(nvvmRule("llvm.nvvm.ex2.approx.ftz.f", 1), findRuleByName("exp2"));
  EXPECT_EQ(nvvmRule("llvm.nvvm.lg2.approx.f", 1), findRuleByName("log2"));
  EXPECT_EQ(nvvmRule("llvm.nvvm.fma.rn.ftz.f", 3), findRuleByName("fma"));
  EXPECT_EQ(nvvmRule("llvm.nvvm.mul.rz.f", 2), findRuleByName("fmul"));
  EXPECT_EQ(nvvmRule("llvm.nvvm.div.approx.f", 2), findRuleByName("fdiv"));
  EXPECT_EQ(nvvmRule("llvm.nvvm.rcp.rn.f", 1), findRuleByName("rcp"));
  EXPECT_EQ(nvvmRule("llvm.nvvm.rsqrt.approx.ftz.f", 1),
            findRuleByName("rsqrt"));
  EXPECT_EQ(nvvmRule("llvm.nvvm.fmin.ftz.nan.f", 2), findRuleByName("fmin"));
  EXPECT_EQ(nvvmRule("llvm.nvvm.saturate.f", 1), findRuleByName("saturate"));
  EXPECT_EQ(nvvmRule("llvm.nvvm.fmax.f", 2), findRuleByName("fmax"));
  EXPECT_EQ(nvvmRule("llvm.nvvm.sin.approx.ftz.f", 1), findRuleByName("sin"));
  EXPECT_EQ(nvvmRule("llvm.nvvm.cos.approx.f", 1), findRuleByName("cos"));
  EXPECT_EQ(nvvmRule("llvm.nvvm.sqrt.rn.f", 1), findRuleByName("sqrt"));
  EXPECT_EQ(nvvmRule("llvm.nvvm.add.rm.f", 2), findRuleByName("fadd"));
  // min(|a|, |b|) with the sign of a xor b is not fmin.
  EXPECT_EQ(nvvmRule("llvm.nvvm.fmin.xorsign.abs.f", 2), nullptr);
}

/// Partial \p Operand of \p Rule where every operand and the result are 0,
/// folded to a number.
double partialAtOrigin(const ElementwiseRule &Rule, unsigned Operand) {
  RuleCase Origin{Rule.Name.data(), 2, [](double, double) { return 0.0; }, 0.0,
                  0.0};
  return evaluatePartial(Rule, Operand, Origin);
}

// Norms at the origin: x_i / |x| would be 0/0; a computation that stays
// there (x - x) needs 0.
TEST(NormRows, PartialsAtTheOriginAreZero) {
  for (const char *Name : {"hypot", "atan2"})
    for (unsigned Operand : {0u, 1u})
      EXPECT_EQ(partialAtOrigin(*findRuleByName(Name), Operand), 0.0)
          << Name << " operand " << Operand;
}

TEST(RuleLookup, RoundingHasZeroDerivative) {
  for (const char *Name : {"floor", "ceil", "trunc", "round", "rint"}) {
    const ElementwiseRule *Rule = findRuleByName(Name);
    ASSERT_NE(Rule, nullptr) << Name;
    EXPECT_TRUE(Rule->hasZeroDerivative()) << Name;
  }
  EXPECT_FALSE(findRuleByName("sin")->hasZeroDerivative());
}

} // namespace
