//===- FluxionDialect.h - The fluxion dialect ---------------------*- C++
//-*-===//
//
// `fluxion.fwddiff` asks for the forward-mode derivative of a `func.func`,
// as __ad_fwddiff does in C:
//
//   %dy = "fluxion.fwddiff"(%x, %dx, %n) {callee = @f,
//            activity = ["dup", "const"]} : (f64, f64, i32) -> f64
//
// takes each argument of @f, followed by its tangent where its activity is
// "dup", and gives the tangent of each result of @f. --fluxion-differentiate
// replaces it by a call of the synthesized tangent function.
//
//===----------------------------------------------------------------------===//
#ifndef FLUXION_MLIR_FLUXIONDIALECT_H
#define FLUXION_MLIR_FLUXIONDIALECT_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace fluxion {

class FluxionDialect : public mlir::Dialect {
public:
  explicit FluxionDialect(mlir::MLIRContext *Context);
  static llvm::StringRef getDialectNamespace() { return "fluxion"; }
};

/// What fluxion.fwddiff and fluxion.autodiff share: a callee and an
/// activity per argument of it.
template <typename ConcreteOp>
class DiffOpBase
    : public mlir::Op<ConcreteOp, mlir::OpTrait::VariadicOperands,
                      mlir::OpTrait::VariadicResults,
                      mlir::OpTrait::ZeroRegions, mlir::OpTrait::ZeroSuccessors,
                      mlir::SymbolUserOpInterface::Trait> {
public:
  using mlir::Op<ConcreteOp, mlir::OpTrait::VariadicOperands,
                 mlir::OpTrait::VariadicResults, mlir::OpTrait::ZeroRegions,
                 mlir::OpTrait::ZeroSuccessors,
                 mlir::SymbolUserOpInterface::Trait>::Op;
  static llvm::ArrayRef<llvm::StringRef> getAttributeNames() {
    static llvm::StringRef Names[] = {"callee", "activity", "ret_activity"};
    return Names;
  }
  mlir::FlatSymbolRefAttr getCallee() {
    return (*this)->template getAttrOfType<mlir::FlatSymbolRefAttr>("callee");
  }
  /// The activity of the callee's results, \p Default without a
  /// `ret_activity` attribute.
  llvm::StringRef getResultActivity(llvm::StringRef Default) {
    auto Activity =
        (*this)->template getAttrOfType<mlir::StringAttr>("ret_activity");
    return Activity ? Activity.getValue() : Default;
  }
  /// The activity of each argument of the callee.
  llvm::SmallVector<llvm::StringRef, 4> getActivities() {
    llvm::SmallVector<llvm::StringRef, 4> Activities;
    if (auto List =
            (*this)->template getAttrOfType<mlir::ArrayAttr>("activity"))
      for (mlir::Attribute A : List)
        if (auto Name = llvm::dyn_cast<mlir::StringAttr>(A))
          Activities.push_back(Name.getValue());
    return Activities;
  }
};

/// Activities: "const", "dup" or "dupnoneed" (the same for an argument).
/// With `width = N`, vector forward mode: each "dup" argument is followed by
/// N tangents, and the results are the tangents of the callee's results
/// along the first direction, then along the second, and so on. With
/// `ret_activity = "dup"` the callee's results come first; the default,
/// "dupnoneed", gives the tangents only.
class FwdDiffOp : public DiffOpBase<FwdDiffOp> {
public:
  using DiffOpBase::DiffOpBase;
  static llvm::StringRef getOperationName() { return "fluxion.fwddiff"; }
  static llvm::ArrayRef<llvm::StringRef> getAttributeNames() {
    static llvm::StringRef Names[] = {"callee", "activity", "width",
                                      "ret_activity"};
    return Names;
  }
  /// The number of directions, 1 without a `width` attribute.
  unsigned getWidth() {
    auto Width = (*this)->getAttrOfType<mlir::IntegerAttr>("width");
    return Width ? Width.getInt() : 1;
  }
  mlir::LogicalResult verify();
  mlir::LogicalResult
  verifySymbolUses(mlir::SymbolTableCollection &SymbolTable);
};

/// `fluxion.autodiff`: the reverse-mode derivative of a `func.func` with
/// one floating result, as __ad_autodiff does in C:
///
///   %dx = "fluxion.autodiff"(%x, %w, %dw, %n) {callee = @f,
///            activity = ["active", "dup", "const"]}
///            : (f64, memref<?xf64>, memref<?xf64>, i32) -> f64
///
/// takes each argument of @f, followed by its shadow where it is a "dup"
/// memref (the adjoints of its elements are added there), and gives the
/// adjoint of each "active" float for a seed of 1 on the result. With
/// `ret_activity = "const"` the result is not seeded: only what @f writes
/// to "dup" memrefs carries adjoints, as for a function without result.
class AutoDiffOp : public DiffOpBase<AutoDiffOp> {
public:
  using DiffOpBase::DiffOpBase;
  static llvm::StringRef getOperationName() { return "fluxion.autodiff"; }
  mlir::LogicalResult verify();
  mlir::LogicalResult
  verifySymbolUses(mlir::SymbolTableCollection &SymbolTable);
};

/// The name of a derivative of \p Primal: \p Parts joined by dots, or by
/// underscores inside a gpu.module, since PTX names cannot hold dots.
std::string derivativeName(mlir::Operation *Primal,
                           llvm::ArrayRef<llvm::StringRef> Parts);

/// Every fluxion.fwddiff and fluxion.autodiff in \p Module, in order.
llvm::SmallVector<mlir::Operation *> derivativeRequests(mlir::ModuleOp Module);

} // namespace fluxion

MLIR_DECLARE_EXPLICIT_TYPE_ID(fluxion::FluxionDialect)
MLIR_DECLARE_EXPLICIT_TYPE_ID(fluxion::FwdDiffOp)
MLIR_DECLARE_EXPLICIT_TYPE_ID(fluxion::AutoDiffOp)

#endif
