//===- MLIRRules.h - The rule table built in MLIR -----------------*- C++
//-*-===//
//
// The MLIR side of the shared rule table (passes/RuleTable.h): the row of an
// `arith` or `math` operation, and a RuleBuilder that writes a row's
// expression with `arith` and `math` operations.
//
//===----------------------------------------------------------------------===//
#ifndef FLUXION_MLIR_MLIRRULES_H
#define FLUXION_MLIR_MLIRRULES_H

#include "RuleTable.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"

namespace fluxion {

/// The row of \p Op (arith.mulf is fmul, math.sin is sin), or null.
const ElementwiseRule *findMLIRRule(mlir::Operation &Op);

/// Builds rule expressions with \p B at \p Loc; floating values have type
/// \p ResultTy, operands come from \p Fetch (-1: the result).
class MLIRRuleBuilder final : public RuleBuilder {
public:
  MLIRRuleBuilder(mlir::OpBuilder &B, mlir::Location Loc, mlir::Type ResultTy,
                  llvm::function_ref<mlir::Value(int Operand)> Fetch)
      : B(B), Loc(Loc), ResultTy(ResultTy), Fetch(Fetch) {}
  static mlir::Value value(Handle H) {
    return mlir::Value::getFromOpaquePointer(H);
  }
  static Handle handle(mlir::Value V) { return V.getAsOpaquePointer(); }

  Handle operand(int I) override { return handle(Fetch(I)); }
  Handle constant(double C) override;
  Handle add(Handle L, Handle R) override;
  Handle sub(Handle L, Handle R) override;
  Handle mul(Handle L, Handle R) override;
  Handle div(Handle L, Handle R) override;
  Handle neg(Handle X) override;
  Handle math(Math F, Handle X) override;
  Handle pow(Handle Base, Handle Exponent) override;
  Handle copysign(Handle Magnitude, Handle Sign) override;
  Handle powi(Handle Base, Handle Exponent) override;
  Handle decrement(Handle Int) override;
  Handle intToFloat(Handle Int) override;
  Handle compare(Compare P, Handle L, Handle R) override;
  Handle both(Handle A, Handle C) override;
  Handle negate(Handle Condition) override;
  Handle select(Handle Condition, Handle T, Handle F) override;

private:
  template <typename OpTy, typename... Args> Handle make(Args... Operands) {
    return handle(OpTy::create(B, Loc, value(Operands)...).getResult());
  }

  mlir::OpBuilder &B;
  mlir::Location Loc;
  mlir::Type ResultTy;
  llvm::function_ref<mlir::Value(int Operand)> Fetch;
};

/// \p Partial of \p Op, whose primal operands \p Fetch gives (-1: the
/// result), built with \p B.
mlir::Value evaluatePartial(mlir::OpBuilder &B, mlir::Operation &Op,
                            llvm::function_ref<mlir::Value(int Operand)> Fetch,
                            PartialFn Partial);

} // namespace fluxion

#endif
