//===- RuleTableTest.cpp - Every row of the rule table in both engines ----===//
//
// Each partial of each row of the shared rule table is built by the LLVM
// engine (IRRuleBuilder) and by the MLIR engine (MLIRRuleBuilder) at the
// same constant operands, and both are folded to numbers: the MLIR
// function must verify, and where MLIR's folders reduce it to a constant
// the two numbers must agree.
//
//===----------------------------------------------------------------------===//

#include "DerivativeRules.h"
#include "MLIRRules.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Analysis/ConstantFolding.h"
#include "llvm/IR/Module.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstdio>

using namespace fluxion;

namespace {

/// Operands at which every row is evaluated: floats, or an i32 where the
/// row takes an integer (the exponent of powi, ldexp and scalbn).
bool takesInteger(llvm::StringRef Row, unsigned Operand) {
  return Operand == 1 && (Row == "powi" || Row == "ldexp" || Row == "scalbn");
}
constexpr double Operands[3] = {0.3, 0.7, 0.45};
constexpr int IntegerOperand = 3;
constexpr double Result = 0.8;

std::optional<double> inLLVM(const ElementwiseRule &Rule, PartialFn Partial) {
  llvm::LLVMContext Ctx;
  llvm::Module M("rules", Ctx);
  llvm::Type *F64 = llvm::Type::getDoubleTy(Ctx);
  auto *Probe =
      llvm::Function::Create(llvm::FunctionType::get(F64, false),
                             llvm::GlobalValue::ExternalLinkage, "probe", M);
  llvm::IRBuilder<> B(llvm::BasicBlock::Create(Ctx, "entry", Probe));
  auto Fetch = [&](int I) -> llvm::Value * {
    if (I < 0)
      return llvm::ConstantFP::get(F64, Result);
    if (takesInteger(Rule.Name, I))
      return B.getInt32(IntegerOperand);
    return llvm::ConstantFP::get(F64, Operands[I]);
  };
  B.CreateRet(evaluatePartial(B, F64, Fetch, Partial));
  for (llvm::Instruction &I :
       llvm::make_early_inc_range(Probe->getEntryBlock()))
    if (llvm::Constant *C =
            llvm::ConstantFoldInstruction(&I, M.getDataLayout())) {
      I.replaceAllUsesWith(C);
      I.eraseFromParent();
    }
  auto *Ret =
      llvm::cast<llvm::ReturnInst>(Probe->getEntryBlock().getTerminator());
  if (auto *C = llvm::dyn_cast<llvm::ConstantFP>(Ret->getReturnValue()))
    return C->getValueAPF().convertToDouble();
  return std::nullopt;
}

/// Builds the partial in an MLIR function, verifies it and folds it;
/// returns the number where it folded to a constant.
std::optional<double> inMLIR(mlir::MLIRContext &Ctx,
                             const ElementwiseRule &Rule, PartialFn Partial,
                             bool &Verified) {
  mlir::OpBuilder B(&Ctx);
  mlir::Location Loc = B.getUnknownLoc();
  auto Module = mlir::ModuleOp::create(Loc);
  B.setInsertionPointToEnd(Module.getBody());
  auto F64 = B.getF64Type();
  auto Func =
      mlir::func::FuncOp::create(B, Loc, "probe", B.getFunctionType({}, {F64}));
  B.setInsertionPointToEnd(Func.addEntryBlock());
  auto Constant = [&](double V) -> mlir::Value {
    return mlir::arith::ConstantOp::create(B, Loc, B.getF64FloatAttr(V));
  };
  auto Fetch = [&](int I) -> mlir::Value {
    if (I < 0)
      return Constant(Result);
    if (takesInteger(Rule.Name, I))
      return mlir::arith::ConstantOp::create(
          B, Loc, B.getI32IntegerAttr(IntegerOperand));
    return Constant(Operands[I]);
  };
  MLIRRuleBuilder Builder(B, Loc, F64, Fetch);
  mlir::Value Value =
      MLIRRuleBuilder::value(Partial(RuleOperands(Builder)).get());
  mlir::func::ReturnOp::create(B, Loc, Value);
  Verified = mlir::succeeded(mlir::verify(Module));
  mlir::PassManager PM(&Ctx);
  PM.addPass(mlir::createCanonicalizerPass());
  std::optional<double> Folded;
  if (Verified && mlir::succeeded(PM.run(Module))) {
    auto Return = llvm::cast<mlir::func::ReturnOp>(
        Func.getBody().front().getTerminator());
    if (auto C = Return.getOperand(0).getDefiningOp<mlir::arith::ConstantOp>())
      if (auto F = llvm::dyn_cast<mlir::FloatAttr>(C.getValue()))
        Folded = F.getValueAsDouble();
  }
  Module->erase();
  return Folded;
}

TEST(RuleTable, EveryRowBuildsInBothEngines) {
  mlir::MLIRContext Ctx;
  Ctx.loadDialect<mlir::arith::ArithDialect, mlir::func::FuncDialect,
                  mlir::math::MathDialect>();
  unsigned Partials = 0, Compared = 0;
  for (const ElementwiseRule &Rule : elementwiseRules())
    for (auto [Operand, Partial] : llvm::enumerate(Rule.Partials)) {
      if (!Partial)
        continue;
      ++Partials;
      std::optional<double> FromLLVM = inLLVM(Rule, Partial);
      bool Verified = false;
      std::optional<double> FromMLIR = inMLIR(Ctx, Rule, Partial, Verified);
      EXPECT_TRUE(Verified) << Rule.Name.str() << " partial " << Operand
                            << " does not verify in MLIR";
      if (!FromLLVM || !FromMLIR)
        continue;
      ++Compared;
      EXPECT_NEAR(*FromLLVM, *FromMLIR, 1e-12 * (1 + std::fabs(*FromLLVM)))
          << Rule.Name.str() << " partial " << Operand;
    }
  std::printf("compared %u of %u partials\n", Compared, Partials);
  // MLIR folds most math functions; the rest are only built and verified.
  EXPECT_GE(Compared * 10, Partials * 7)
      << Compared << " of " << Partials << " partials compared";
}

} // namespace
