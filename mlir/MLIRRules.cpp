//===- MLIRRules.cpp - The rule table built in MLIR -----------------------===//

#include "MLIRRules.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/StringSwitch.h"

using namespace mlir;

namespace fluxion {

const ElementwiseRule *findMLIRRule(Operation &Op) {
  StringRef Name = Op.getName().getStringRef();
  if (Name.consume_front("arith."))
    return findRuleByName(llvm::StringSwitch<StringRef>(Name)
                              .Case("addf", "fadd")
                              .Case("subf", "fsub")
                              .Case("mulf", "fmul")
                              .Case("divf", "fdiv")
                              .Case("negf", "fneg")
                              .Case("remf", "frem")
                              .Case("maximumf", "maximum")
                              .Case("minimumf", "minimum")
                              .Case("maxnumf", "maxnum")
                              .Case("minnumf", "minnum")
                              .Default(""));
  if (Name.consume_front("math."))
    return findRuleByName(llvm::StringSwitch<StringRef>(Name)
                              .Case("powf", "pow")
                              .Case("absf", "fabs")
                              .Case("fpowi", "powi")
                              .Default(Name));
  return nullptr;
}

RuleBuilder::Handle MLIRRuleBuilder::constant(double C) {
  TypedAttr Value;
  if (auto Shaped = dyn_cast<ShapedType>(ResultTy))
    Value = DenseElementsAttr::get(
        Shaped, FloatAttr::get(Shaped.getElementType(), C).getValue());
  else
    Value = FloatAttr::get(ResultTy, C);
  return handle(arith::ConstantOp::create(B, Loc, Value).getResult());
}
RuleBuilder::Handle MLIRRuleBuilder::add(Handle L, Handle R) {
  return make<arith::AddFOp>(L, R);
}
RuleBuilder::Handle MLIRRuleBuilder::sub(Handle L, Handle R) {
  return make<arith::SubFOp>(L, R);
}
RuleBuilder::Handle MLIRRuleBuilder::mul(Handle L, Handle R) {
  return make<arith::MulFOp>(L, R);
}
RuleBuilder::Handle MLIRRuleBuilder::div(Handle L, Handle R) {
  return make<arith::DivFOp>(L, R);
}
RuleBuilder::Handle MLIRRuleBuilder::neg(Handle X) {
  return make<arith::NegFOp>(X);
}

RuleBuilder::Handle MLIRRuleBuilder::math(Math F, Handle X) {
  switch (F) {
  case Math::Sqrt:
    return make<math::SqrtOp>(X);
  case Math::Sin:
    return make<math::SinOp>(X);
  case Math::Cos:
    return make<math::CosOp>(X);
  case Math::Sinh:
    return make<math::SinhOp>(X);
  case Math::Cosh:
    return make<math::CoshOp>(X);
  case Math::Exp:
    return make<math::ExpOp>(X);
  case Math::Exp2:
    return make<math::Exp2Op>(X);
  case Math::Log:
    return make<math::LogOp>(X);
  case Math::Log2:
    return make<math::Log2Op>(X);
  case Math::Trunc:
    return make<math::TruncOp>(X);
  case Math::Floor:
    return make<math::FloorOp>(X);
  case Math::Fabs:
    return make<math::AbsFOp>(X);
  case Math::RoundEven:
    return make<math::RoundEvenOp>(X);
  }
  llvm_unreachable("unknown math function");
}
RuleBuilder::Handle MLIRRuleBuilder::pow(Handle Base, Handle Exponent) {
  return make<math::PowFOp>(Base, Exponent);
}
RuleBuilder::Handle MLIRRuleBuilder::copysign(Handle Magnitude, Handle Sign) {
  return make<math::CopySignOp>(Magnitude, Sign);
}
RuleBuilder::Handle MLIRRuleBuilder::powi(Handle Base, Handle Exponent) {
  return make<math::FPowIOp>(Base, Exponent);
}
RuleBuilder::Handle MLIRRuleBuilder::decrement(Handle Int) {
  Value One = arith::ConstantOp::create(
      B, Loc, B.getIntegerAttr(value(Int).getType(), 1));
  return handle(arith::SubIOp::create(B, Loc, value(Int), One).getResult());
}
RuleBuilder::Handle MLIRRuleBuilder::intToFloat(Handle Int) {
  return handle(
      arith::SIToFPOp::create(B, Loc, ResultTy, value(Int)).getResult());
}
RuleBuilder::Handle MLIRRuleBuilder::compare(Compare P, Handle L, Handle R) {
  arith::CmpFPredicate Predicate = arith::CmpFPredicate::OEQ;
  switch (P) {
  case Compare::OrderedEqual:
    Predicate = arith::CmpFPredicate::OEQ;
    break;
  case Compare::OrderedLess:
    Predicate = arith::CmpFPredicate::OLT;
    break;
  case Compare::OrderedLessEqual:
    Predicate = arith::CmpFPredicate::OLE;
    break;
  case Compare::OrderedGreater:
    Predicate = arith::CmpFPredicate::OGT;
    break;
  }
  return handle(
      arith::CmpFOp::create(B, Loc, Predicate, value(L), value(R)).getResult());
}
RuleBuilder::Handle MLIRRuleBuilder::both(Handle A, Handle C) {
  return make<arith::AndIOp>(A, C);
}
RuleBuilder::Handle MLIRRuleBuilder::negate(Handle Condition) {
  Value True = arith::ConstantOp::create(
      B, Loc, B.getIntegerAttr(value(Condition).getType(), 1));
  return handle(
      arith::XOrIOp::create(B, Loc, value(Condition), True).getResult());
}
RuleBuilder::Handle MLIRRuleBuilder::select(Handle Condition, Handle T,
                                            Handle F) {
  return make<arith::SelectOp>(Condition, T, F);
}

Value evaluatePartial(OpBuilder &B, Operation &Op,
                      function_ref<Value(int Operand)> Fetch,
                      PartialFn Partial) {
  MLIRRuleBuilder Builder(B, Op.getLoc(), Op.getResult(0).getType(), Fetch);
  return MLIRRuleBuilder::value(Partial(RuleOperands(Builder)).get());
}

} // namespace fluxion
