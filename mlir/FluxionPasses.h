//===- FluxionPasses.h - Fluxion's MLIR passes --------------------*- C++
//-*-===//
#ifndef FLUXION_MLIR_FLUXIONPASSES_H
#define FLUXION_MLIR_FLUXIONPASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Pass/Pass.h"

#include <memory>

namespace fluxion {

/// --fluxion-differentiate: replaces fluxion.fwddiff and fluxion.autodiff
/// by calls of derivative functions synthesized in MLIR.
std::unique_ptr<mlir::Pass> createDifferentiatePass();

/// How a gradient function seeds the results of its primal: its one result
/// with 1, not at all, or each floating result with an argument of its own
/// (after the others), as the reverse of a call passes them.
enum class ResultSeed { One, None, FromArguments };

/// The gradient function of \p Primal (ReverseMode.cpp): its arguments,
/// each "dup" memref followed by its shadow, then the seeds \p Seed asks
/// for, returning the adjoint of each "active" one; \p Activities has one
/// entry per argument.
mlir::FailureOr<mlir::func::FuncOp>
gradientFunction(mlir::func::FuncOp Primal,
                 llvm::ArrayRef<llvm::StringRef> Activities, ResultSeed Seed);

/// Lifts the unstructured control flow (cf) of \p Function and of the
/// functions it calls to scf, in place, with MLIR's CFG-to-SCF
/// transformation: both engines differentiate structured control flow.
/// \p Seen holds the functions already visited.
mlir::LogicalResult liftControlFlow(mlir::func::FuncOp Function,
                                    llvm::DenseSet<mlir::Operation *> &Seen);

/// An operation like \p Branch (an scf.if or scf.index_switch), on
/// \p Selector, with results of \p Types and an empty block in each region.
mlir::Operation *branchLike(mlir::OpBuilder &B, mlir::Operation *Branch,
                            mlir::Value Selector, mlir::TypeRange Types);

/// Whether \p Combine, a region of scf.reduce, adds its two arguments.
bool isSumReduction(mlir::Region &Combine);

/// The global holding the derivatives of workgroup memory \p Global, next
/// to it (Recompute.cpp).
mlir::memref::GlobalOp shadowGlobal(mlir::memref::GlobalOp Global);

/// Registers --fluxion-lower-to-llvm (Bridge.cpp).
void registerBridgePass();

/// Registers the passes with mlir-opt's command line.
void registerFluxionPasses();

} // namespace fluxion

#endif
