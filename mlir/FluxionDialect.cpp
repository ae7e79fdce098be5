//===- FluxionDialect.cpp - The fluxion dialect ---------------------------===//

#include "FluxionDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;

MLIR_DEFINE_EXPLICIT_TYPE_ID(fluxion::FluxionDialect)
MLIR_DEFINE_EXPLICIT_TYPE_ID(fluxion::FwdDiffOp)
MLIR_DEFINE_EXPLICIT_TYPE_ID(fluxion::AutoDiffOp)

namespace fluxion {

FluxionDialect::FluxionDialect(MLIRContext *Context)
    : Dialect(getDialectNamespace(), Context, TypeID::get<FluxionDialect>()) {
  addOperations<FwdDiffOp, AutoDiffOp>();
}

/// Checks that \p Activity is a string among \p Allowed; \p What names it
/// in the error.
static LogicalResult verifyOneOf(Operation *Op, Attribute Activity,
                                 ArrayRef<StringRef> Allowed, StringRef What) {
  auto Name = dyn_cast<StringAttr>(Activity);
  if (Name && llvm::is_contained(Allowed, Name.getValue()))
    return success();
  return Op->emitOpError(What)
         << " are \"" << llvm::join(Allowed, "\" or \"") << "\"";
}

/// Checks the callee and the activity attributes of \p Op: each activity
/// one of \p Allowed.
static LogicalResult verifyAttributes(Operation *Op,
                                      ArrayRef<StringRef> Allowed) {
  if (!Op->getAttrOfType<FlatSymbolRefAttr>("callee"))
    return Op->emitOpError("needs a 'callee' symbol reference");
  auto List = Op->getAttrOfType<ArrayAttr>("activity");
  if (!List)
    return Op->emitOpError("needs an 'activity' array, one entry per argument");
  for (Attribute A : List)
    if (failed(verifyOneOf(Op, A, Allowed, "activities")))
      return failure();
  return success();
}

/// The callee to check the op against: a func.func, or null for an
/// llvm.func, whose signature no longer shows the memrefs (the LLVM plugin
/// checks the call the bridge makes of it).
template <typename DiffOp>
static FailureOr<func::FuncOp>
lookupCallee(DiffOp Op, SymbolTableCollection &SymbolTable) {
  auto Found = SymbolTable.lookupNearestSymbolFrom<FunctionOpInterface>(
      Op, Op.getCallee());
  if (!Found)
    return Op.emitOpError("'")
           << Op.getCallee().getValue() << "' is not a function in scope";
  auto F = dyn_cast<func::FuncOp>(*Found);
  if (!F)
    return func::FuncOp();
  size_t Activities = Op.getActivities().size();
  if (Activities != F.getNumArguments())
    return Op.emitOpError("has ") << Activities << " activities for "
                                  << F.getNumArguments() << " arguments";
  return F;
}

/// Checks the `ret_activity` attribute of \p Op, if any: one of \p Allowed.
static LogicalResult verifyResultActivity(Operation *Op,
                                          ArrayRef<StringRef> Allowed) {
  Attribute Activity = Op->getAttr("ret_activity");
  return Activity ? verifyOneOf(Op, Activity, Allowed, "result activities")
                  : success();
}

LogicalResult FwdDiffOp::verify() {
  if (auto Width = (*this)->getAttrOfType<IntegerAttr>("width");
      Width && Width.getInt() < 1)
    return emitOpError("needs a width of at least 1");
  if (failed(verifyResultActivity(*this, {"dupnoneed", "dup"})))
    return failure();
  return verifyAttributes(*this, {"const", "dup", "dupnoneed"});
}

LogicalResult FwdDiffOp::verifySymbolUses(SymbolTableCollection &SymbolTable) {
  FailureOr<func::FuncOp> Callee = lookupCallee(*this, SymbolTable);
  if (failed(Callee))
    return failure();
  func::FuncOp Signature = *Callee;
  if (!Signature)
    return success();
  unsigned Expected = 0;
  for (auto [Activity, Input] :
       llvm::zip(getActivities(), Signature.getArgumentTypes())) {
    bool Shadowed = Activity.starts_with("dup");
    Expected += Shadowed ? 1 + getWidth() : 1;
    if (Shadowed && !isa<FloatType, MemRefType>(Input))
      return emitOpError("only floats and memrefs of floats can be \"dup\"");
  }
  if (getNumOperands() != Expected)
    return emitOpError("takes ")
           << Expected << " operands, not " << getNumOperands();
  SmallVector<Type> Results;
  if (getResultActivity("dupnoneed") == "dup")
    llvm::append_range(Results, Signature.getResultTypes());
  for (unsigned Direction = 0; Direction < getWidth(); ++Direction)
    llvm::append_range(Results, Signature.getResultTypes());
  if (getResultTypes() != TypeRange(Results))
    return emitOpError("results must be the callee's result types, once per "
                       "direction (and once before for ret_activity \"dup\")");
  return success();
}

LogicalResult AutoDiffOp::verify() {
  if (failed(verifyResultActivity(*this, {"active", "const"})))
    return failure();
  return verifyAttributes(*this, {"const", "active", "dup", "dupnoneed"});
}

LogicalResult AutoDiffOp::verifySymbolUses(SymbolTableCollection &SymbolTable) {
  FailureOr<func::FuncOp> Callee = lookupCallee(*this, SymbolTable);
  if (failed(Callee))
    return failure();
  func::FuncOp Signature = *Callee;
  if (!Signature)
    return success();
  if (Signature.getNumResults() > 1 ||
      (Signature.getNumResults() == 1 &&
       !isa<FloatType>(Signature.getResultTypes().front())))
    return emitOpError("needs a callee with one floating result or none");
  SmallVector<Type> Adjoints;
  unsigned Expected = 0;
  for (auto [Activity, Input] :
       llvm::zip(getActivities(), Signature.getArgumentTypes())) {
    bool Shadowed = Activity.starts_with("dup");
    Expected += Shadowed ? 2 : 1;
    auto Memory = dyn_cast<MemRefType>(Input);
    if (Shadowed && (!Memory || !isa<FloatType>(Memory.getElementType())))
      return emitOpError("only memrefs of floats can be \"dup\"");
    if (Activity != "active")
      continue;
    if (!isa<FloatType>(Input))
      return emitOpError("only floats can be \"active\"");
    Adjoints.push_back(Input);
  }
  if (getNumOperands() != Expected)
    return emitOpError("takes ")
           << Expected << " operands, not " << getNumOperands();
  if (getResultTypes() != TypeRange(Adjoints))
    return emitOpError("results must be the types of the active arguments");
  return success();
}

std::string derivativeName(Operation *Primal, ArrayRef<StringRef> Parts) {
  bool OnGPU = Primal->getParentOfType<gpu::GPUModuleOp>() != nullptr;
  return llvm::join(Parts, OnGPU ? "_" : ".");
}

SmallVector<Operation *> derivativeRequests(ModuleOp Module) {
  SmallVector<Operation *> Requests;
  Module.walk([&](Operation *Op) {
    if (isa<FwdDiffOp, AutoDiffOp>(Op))
      Requests.push_back(Op);
  });
  return Requests;
}

} // namespace fluxion
