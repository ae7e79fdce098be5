//===- DerivativeRules.h - The table of elementwise derivative rules -*- C++
//-*-===//
//
// Every floating-point operation whose result is a differentiable function of
// its floating operands (arithmetic instructions, LLVM math intrinsics, libm
// calls) is described by one row: the partial derivative of the result with
// respect to each operand, written in terms of the primal operands x(i) and
// the primal result y(). Forward mode forms sum_i partial_i * dx_i; reverse
// mode adds dy * partial_i to the adjoint of operand i. Adding a function is
// adding one row.
//
//===----------------------------------------------------------------------===//
#ifndef FLUXION_DERIVATIVERULES_H
#define FLUXION_DERIVATIVERULES_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/IR/IRBuilder.h"

#include <array>

namespace fluxion {

/// The fast-math flags of the arithmetic derivatives add to a program:
/// reassociation (so that tangent and adjoint sums vectorize), contraction
/// and no signed zeros, as Enzyme's derivatives have; none with
/// -fluxion-strict-fp. Infinities and NaNs keep their meaning.
llvm::FastMathFlags derivativeMathFlags();

/// A floating value under construction; arithmetic on it emits IR.
class Expr {
public:
  Expr(llvm::IRBuilderBase &B, llvm::Value *V) : B(&B), V(V) {}
  llvm::Value *get() const { return V; }
  llvm::IRBuilderBase &builder() const { return *B; }
  Expr with(llvm::Value *NewV) const { return Expr(*B, NewV); }
  Expr constant(double C) const;

private:
  llvm::IRBuilderBase *B;
  llvm::Value *V;
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

/// The primal values a partial derivative may use. They are fetched on
/// demand, so reverse mode caches only what a rule actually reads.
class RuleOperands {
public:
  using Fetch = llvm::function_ref<llvm::Value *(int Operand)>;
  /// \p Fetch returns primal operand I, or the primal result for -1;
  /// \p ResultTy is the type of the result.
  RuleOperands(llvm::IRBuilderBase &B, llvm::Type *ResultTy, Fetch F)
      : B(B), ResultTy(ResultTy), F(F) {}
  Expr x(unsigned I) const { return Expr(B, F(I)); }
  Expr y() const { return Expr(B, F(-1)); }
  /// A constant of the result's type; fetches nothing.
  Expr constant(double C) const;
  /// Operand \p I, an integer, converted to the result's floating type.
  Expr intAsFloat(unsigned I) const;

private:
  llvm::IRBuilderBase &B;
  llvm::Type *ResultTy;
  Fetch F;
};

/// The additive identity of a derivative of type \p Ty: -0.0, which lets
/// `x + identity` fold to x, in every floating element.
llvm::Constant *additiveIdentity(llvm::Type *Ty);

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

/// The rule for an instruction opcode, an intrinsic or a libm function
/// (float and long double variants included), or null.
const ElementwiseRule *findElementwiseRule(const llvm::Instruction &I);

/// The rule for a function name as a user would call it, or null.
const ElementwiseRule *findRuleByName(llvm::StringRef Name);

/// Emits partial_i * Seed, folding the common partials +1 and -1.
llvm::Value *scaleByPartial(llvm::IRBuilderBase &B, llvm::Value *Partial,
                            llvm::Value *Seed);

} // namespace fluxion

#endif
