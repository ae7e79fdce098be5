//===- VectorReductions.h - Derivatives of float vector reductions --------===//
//
// llvm.vector.reduce.fadd sums a vector into a start value: its tangent is
// the sum of the tangents, and its adjoint goes to the start value and to
// every lane. llvm.vector.reduce.fmax, fmin, fmaximum and fminimum pick a
// lane: the derivative goes to the lanes equal to the result. Vectorized
// code from MLIR's vector dialect reaches the plugin with them.
//
//===----------------------------------------------------------------------===//
#ifndef FLUXION_VECTORREDUCTIONS_H
#define FLUXION_VECTORREDUCTIONS_H

#include "llvm/IR/IRBuilder.h"

#include <utility>

namespace llvm {
class IntrinsicInst;
} // namespace llvm

namespace fluxion {

/// Whether \p Call is a float vector reduction with a derivative here.
bool isFloatReduction(const llvm::CallBase &Call);

/// The tangent of \p Reduction, whose primal vector operand and result are
/// \p Vector and \p Result where the tangent is built, given the tangents
/// of its start value (fadd only) and vector.
llvm::Value *emitReductionTangent(llvm::IRBuilderBase &B,
                                  const llvm::IntrinsicInst &Reduction,
                                  llvm::Value *Vector, llvm::Value *Result,
                                  llvm::Value *StartTangent,
                                  llvm::Value *VectorTangent);

/// The adjoints of the start value (fadd only, else null) and of the vector
/// of \p Reduction for the adjoint \p Seed of its result.
std::pair<llvm::Value *, llvm::Value *>
emitReductionAdjoints(llvm::IRBuilderBase &B,
                      const llvm::IntrinsicInst &Reduction, llvm::Value *Vector,
                      llvm::Value *Result, llvm::Value *Seed);

} // namespace fluxion

#endif
