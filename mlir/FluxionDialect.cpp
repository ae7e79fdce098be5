//===- FluxionDialect.cpp - The fluxion dialect ---------------------------===//

#include "FluxionDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;

MLIR_DEFINE_EXPLICIT_TYPE_ID(fluxion::FluxionDialect)
MLIR_DEFINE_EXPLICIT_TYPE_ID(fluxion::FwdDiffOp)

namespace fluxion {

FluxionDialect::FluxionDialect(MLIRContext *Context)
    : Dialect(getDialectNamespace(), Context, TypeID::get<FluxionDialect>()) {
  addOperations<FwdDiffOp>();
}

FlatSymbolRefAttr FwdDiffOp::getCallee() {
  return (*this)->getAttrOfType<FlatSymbolRefAttr>("callee");
}

SmallVector<StringRef, 4> FwdDiffOp::getActivities() {
  SmallVector<StringRef, 4> Activities;
  if (auto List = (*this)->getAttrOfType<ArrayAttr>("activity"))
    for (Attribute A : List)
      if (auto Name = dyn_cast<StringAttr>(A))
        Activities.push_back(Name.getValue());
  return Activities;
}

LogicalResult FwdDiffOp::verify() {
  if (!getCallee())
    return emitOpError("needs a 'callee' symbol reference");
  auto List = (*this)->getAttrOfType<ArrayAttr>("activity");
  if (!List)
    return emitOpError("needs an 'activity' array, one entry per argument");
  for (Attribute A : List) {
    auto Name = dyn_cast<StringAttr>(A);
    if (!Name || (Name.getValue() != "const" && Name.getValue() != "dup"))
      return emitOpError("activities are \"const\" or \"dup\"");
  }
  return success();
}

LogicalResult FwdDiffOp::verifySymbolUses(SymbolTableCollection &SymbolTable) {
  auto Callee =
      SymbolTable.lookupNearestSymbolFrom<func::FuncOp>(*this, getCallee());
  if (!Callee)
    return emitOpError("'")
           << getCallee().getValue() << "' is not a func.func in scope";
  SmallVector<StringRef, 4> Activities = getActivities();
  FunctionType Type = Callee.getFunctionType();
  if (Activities.size() != Type.getNumInputs())
    return emitOpError("has ") << Activities.size() << " activities for "
                               << Type.getNumInputs() << " arguments";
  unsigned Expected = 0;
  for (auto [Activity, Input] : llvm::zip(Activities, Type.getInputs())) {
    Expected += Activity == "dup" ? 2 : 1;
    if (Activity == "dup" && !isa<FloatType, MemRefType>(Input))
      return emitOpError("only floats and memrefs of floats can be \"dup\"");
  }
  if (getNumOperands() != Expected)
    return emitOpError("takes ")
           << Expected << " operands, not " << getNumOperands();
  if (getResultTypes() != TypeRange(Type.getResults()))
    return emitOpError("results must be the callee's result types");
  return success();
}

} // namespace fluxion
