//===- RuleTable.h - Elementwise derivative rules, for any IR ----*- C++
//-*-===//
//
// One row per elementwise operation: the partial derivative of its result
// with respect to each operand, written once as an expression over a
// RuleBuilder. The LLVM engine builds the expressions with an IRBuilder
// (DerivativeRules.h), the MLIR engine with an OpBuilder (mlir/), so a rule
// added here serves both.
//
//===----------------------------------------------------------------------===//
#ifndef FLUXION_RULETABLE_H
#define FLUXION_RULETABLE_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <array>

namespace fluxion {

/// Builds the values of a rule's expression in one IR. Handles are the IR's
/// values (an llvm::Value *, an mlir::Value's opaque pointer); floating ones
/// have the type of the operation's result.
class RuleBuilder {
public:
  using Handle = void *;
  enum class Math {
    Sqrt,
    Sin,
    Cos,
    Sinh,
    Cosh,
    Exp,
    Exp2,
    Log,
    Log2,
    Trunc,
    Floor,
    Fabs,
    RoundEven
  };
  enum class Compare {
    OrderedEqual,
    OrderedLess,
    OrderedLessEqual,
    OrderedGreater
  };

  virtual ~RuleBuilder() = default;
  /// The primal operand \p I of the operation, or its result for -1.
  virtual Handle operand(int I) = 0;
  virtual Handle constant(double C) = 0;
  virtual Handle add(Handle L, Handle R) = 0;
  virtual Handle sub(Handle L, Handle R) = 0;
  virtual Handle mul(Handle L, Handle R) = 0;
  virtual Handle div(Handle L, Handle R) = 0;
  virtual Handle neg(Handle X) = 0;
  virtual Handle math(Math F, Handle X) = 0;
  virtual Handle pow(Handle Base, Handle Exponent) = 0;
  virtual Handle copysign(Handle Magnitude, Handle Sign) = 0;
  /// Base to the power of an integer exponent.
  virtual Handle powi(Handle Base, Handle Exponent) = 0;
  /// An integer minus one.
  virtual Handle decrement(Handle Int) = 0;
  /// A signed integer as a float of the result's type.
  virtual Handle intToFloat(Handle Int) = 0;
  /// A boolean.
  virtual Handle compare(Compare P, Handle L, Handle R) = 0;
  virtual Handle both(Handle A, Handle B) = 0;
  virtual Handle negate(Handle Condition) = 0;
  virtual Handle select(Handle Condition, Handle T, Handle F) = 0;
};

class Expr {
public:
  Expr(RuleBuilder &B, RuleBuilder::Handle V) : B(&B), V(V) {}
  RuleBuilder::Handle get() const { return V; }
  RuleBuilder &builder() const { return *B; }
  Expr with(RuleBuilder::Handle NewV) const { return Expr(*B, NewV); }
  Expr constant(double C) const { return with(B->constant(C)); }

private:
  RuleBuilder *B;
  RuleBuilder::Handle V;
};

Expr operator+(Expr L, Expr R);
Expr operator-(Expr L, Expr R);
Expr operator*(Expr L, Expr R);
Expr operator/(Expr L, Expr R);
Expr operator-(Expr E);
Expr operator*(double C, Expr E);
Expr operator+(double C, Expr E);
Expr operator-(double C, Expr E);
Expr operator/(double C, Expr E);

/// What a rule reads: the operation's operands and result.
class RuleOperands {
public:
  explicit RuleOperands(RuleBuilder &B) : B(B) {}
  Expr x(unsigned I) const { return Expr(B, B.operand(I)); }
  Expr y() const { return Expr(B, B.operand(-1)); }
  /// A constant of the result's type; fetches nothing.
  Expr constant(double C) const { return Expr(B, B.constant(C)); }
  /// Operand \p I, an integer, converted to the result's floating type.
  Expr intAsFloat(unsigned I) const {
    return Expr(B, B.intToFloat(B.operand(I)));
  }
  RuleBuilder &builder() const { return B; }

private:
  RuleBuilder &B;
};

using PartialFn = Expr (*)(const RuleOperands &);

struct ElementwiseRule {
  llvm::StringRef Name;
  /// Partial of the result with respect to each operand; null where the
  /// operand is not differentiable (an integer exponent) or the derivative is
  /// identically zero (floor, the sign operand of copysign).
  std::array<PartialFn, 3> Partials;
  /// Whether the result is piecewise constant (floor, round, ...).
  bool hasZeroDerivative() const {
    return !Partials[0] && !Partials[1] && !Partials[2];
  }
};

/// Every row. Names are LLVM opcodes (fadd, fdiv) and libm names (sin).
llvm::ArrayRef<ElementwiseRule> elementwiseRules();

/// The row of \p Name; libm's float (sinf) and long double (sinl) variants
/// and libdevice's (__nv_sin) share their function's row.
const ElementwiseRule *findRuleByName(llvm::StringRef Name);

} // namespace fluxion

#endif
