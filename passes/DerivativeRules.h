//===- DerivativeRules.h - Elementwise derivative rules in LLVM IR -*- C++
//-*-===//
//
// Every floating-point operation whose result is a differentiable function of
// its floating operands (arithmetic instructions, LLVM math intrinsics, libm
// calls) is described by one row of the rule table (RuleTable.h): the
// partial derivative of the result with respect to each operand, written in
// terms of the primal operands x(i) and the primal result y(). Forward mode
// forms sum_i partial_i * dx_i; reverse mode adds dy * partial_i to the
// adjoint of operand i. This file builds the rows in LLVM IR and finds the
// row of an instruction.
//
//===----------------------------------------------------------------------===//
#ifndef FLUXION_DERIVATIVERULES_H
#define FLUXION_DERIVATIVERULES_H

#include "RuleTable.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/IR/IRBuilder.h"

namespace fluxion {

/// The fast-math flags of the arithmetic derivatives add to a program:
/// reassociation (so that tangent and adjoint sums vectorize), contraction
/// and no signed zeros, as Enzyme's derivatives have; none with
/// -fluxion-strict-fp. Infinities and NaNs keep their meaning.
llvm::FastMathFlags derivativeMathFlags();

/// Builds rule expressions in LLVM IR at \p B; floating values have type
/// \p ResultTy, operands come from \p Fetch (-1: the result).
class IRRuleBuilder final : public RuleBuilder {
public:
  IRRuleBuilder(llvm::IRBuilderBase &B, llvm::Type *ResultTy,
                llvm::function_ref<llvm::Value *(int Operand)> Fetch)
      : B(B), ResultTy(ResultTy), Fetch(Fetch) {}
  static llvm::Value *value(Handle H) { return static_cast<llvm::Value *>(H); }

  Handle operand(int I) override { return Fetch(I); }
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
  llvm::IRBuilderBase &B;
  llvm::Type *ResultTy;
  llvm::function_ref<llvm::Value *(int Operand)> Fetch;
};

/// \p Partial of an operation whose result has type \p ResultTy and whose
/// primal operands \p Fetch gives (-1: the result), built at \p B.
llvm::Value *
evaluatePartial(llvm::IRBuilderBase &B, llvm::Type *ResultTy,
                llvm::function_ref<llvm::Value *(int Operand)> Fetch,
                PartialFn Partial);

/// The additive identity of a derivative of type \p Ty: -0.0, which lets
/// `x + identity` fold to x, in every floating element.
llvm::Constant *additiveIdentity(llvm::Type *Ty);

/// The rule for an instruction opcode, an intrinsic or a libm function
/// (float and long double variants included), or null.
const ElementwiseRule *findElementwiseRule(const llvm::Instruction &I);

/// Emits partial_i * Seed, folding the common partials +1 and -1.
llvm::Value *scaleByPartial(llvm::IRBuilderBase &B, llvm::Value *Partial,
                            llvm::Value *Seed);

} // namespace fluxion

#endif
