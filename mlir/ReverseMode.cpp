//===- ReverseMode.cpp - Reverse-mode derivatives of MLIR functions -------===//
//
// The gradient function of a fluxion.autodiff recomputes its callee, with
// calls of single-block callees inlined, then walks the recomputed
// operations backwards from a seed of 1 on the result, adding each
// operand's adjoint (the result's adjoint times the partial from the shared
// rule table). Every value the walk needs is still live in the same block,
// so nothing is taped; structured control flow is not supported yet and is
// an error at its location.
//
//===----------------------------------------------------------------------===//

#include "FluxionDialect.h"
#include "FluxionPasses.h"
#include "MLIRRules.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;

namespace fluxion {
namespace {

/// How deep calls are inlined before a call counts as recursive.
constexpr unsigned MaxInlineDepth = 16;

class GradientBuilder {
public:
  explicit GradientBuilder(OpBuilder &B) : B(B) {}

  LogicalResult build(func::FuncOp Primal, ArrayRef<bool> Active,
                      func::FuncOp Target);

private:
  /// Recomputes \p Body with its arguments mapped; returns the values its
  /// return gives.
  FailureOr<SmallVector<Value>> recompute(Block &Body, unsigned Depth);
  LogicalResult reverse(Operation &Op);
  void addAdjoint(Value V, Value Delta);
  Value zero(Type T) {
    return arith::ConstantOp::create(B, Loc, FloatAttr::get(T, 0.0));
  }

  OpBuilder &B;
  Location Loc = B.getUnknownLoc();
  IRMapping Map;
  SmallVector<Operation *> Recomputed;
  DenseMap<Value, Value> Adjoint;
};

FailureOr<SmallVector<Value>> GradientBuilder::recompute(Block &Body,
                                                         unsigned Depth) {
  for (Operation &Op : Body) {
    if (auto Return = dyn_cast<func::ReturnOp>(Op)) {
      SmallVector<Value> Results;
      for (Value V : Return.getOperands())
        Results.push_back(Map.lookupOrDefault(V));
      return Results;
    }
    if (auto Call = dyn_cast<func::CallOp>(Op)) {
      auto Callee = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
          Call, Call.getCalleeAttr());
      if (!Callee || Callee.isExternal())
        return Call.emitError(
                   "fluxion: no reverse rule for external function '")
               << Call.getCallee() << "'";
      if (Depth == MaxInlineDepth || !Callee.getBody().hasOneBlock())
        return Call.emitError("fluxion: reverse mode in MLIR inlines calls "
                              "and cannot inline '")
               << Call.getCallee() << "' (recursive or not one block)";
      for (auto [Arg, Operand] :
           llvm::zip(Callee.getArguments(), Call.getOperands()))
        Map.map(Arg, Map.lookupOrDefault(Operand));
      FailureOr<SmallVector<Value>> Results =
          recompute(Callee.getBody().front(), Depth + 1);
      if (failed(Results))
        return failure();
      for (auto [Result, Value] : llvm::zip(Call.getResults(), *Results))
        Map.map(Result, Value);
      continue;
    }
    if (Op.getNumRegions())
      return Op.emitError("fluxion: reverse mode in MLIR supports "
                          "straight-line code only, not '")
             << Op.getName() << "'";
    Recomputed.push_back(B.clone(Op, Map));
  }
  return Body.getParentOp()->emitError("fluxion: a block without a return");
}

void GradientBuilder::addAdjoint(Value V, Value Delta) {
  Value &Sum = Adjoint[V];
  Sum = Sum ? arith::AddFOp::create(B, Loc, Sum, Delta).getResult() : Delta;
}

LogicalResult GradientBuilder::reverse(Operation &Op) {
  if (Op.getNumResults() != 1)
    return success();
  Value Seed = Adjoint.lookup(Op.getResult(0));
  if (!Seed)
    return success();
  if (const ElementwiseRule *Rule = findMLIRRule(Op)) {
    auto Fetch = [&](int Idx) -> Value {
      return Idx < 0 ? Op.getResult(0) : Op.getOperand(Idx);
    };
    for (auto [Idx, Operand] : llvm::enumerate(Op.getOperands()))
      if (Idx < Rule->Partials.size() && Rule->Partials[Idx] &&
          isa<FloatType>(Operand.getType())) {
        Value Partial = evaluatePartial(B, Op, Fetch, Rule->Partials[Idx]);
        addAdjoint(Operand, arith::MulFOp::create(B, Loc, Seed, Partial));
      }
    return success();
  }
  if (auto Select = dyn_cast<arith::SelectOp>(Op)) {
    Value None = zero(Select.getType());
    addAdjoint(
        Select.getTrueValue(),
        arith::SelectOp::create(B, Loc, Select.getCondition(), Seed, None));
    addAdjoint(
        Select.getFalseValue(),
        arith::SelectOp::create(B, Loc, Select.getCondition(), None, Seed));
    return success();
  }
  if (auto Ext = dyn_cast<arith::ExtFOp>(Op)) {
    addAdjoint(Ext.getIn(),
               arith::TruncFOp::create(B, Loc, Ext.getIn().getType(), Seed));
    return success();
  }
  if (auto Trunc = dyn_cast<arith::TruncFOp>(Op)) {
    addAdjoint(Trunc.getIn(),
               arith::ExtFOp::create(B, Loc, Trunc.getIn().getType(), Seed));
    return success();
  }
  if (Op.hasTrait<OpTrait::ConstantLike>() ||
      isa<arith::SIToFPOp, arith::UIToFPOp>(Op))
    return success();
  return Op.emitError("fluxion: no reverse rule for '") << Op.getName() << "'";
}

LogicalResult GradientBuilder::build(func::FuncOp Primal, ArrayRef<bool> Active,
                                     func::FuncOp Target) {
  if (!Primal.getBody().hasOneBlock())
    return Primal.emitError("fluxion: reverse mode in MLIR needs a function "
                            "of one block");
  Block *Entry = Target.addEntryBlock();
  for (auto [From, To] :
       llvm::zip(Primal.getArguments(), Entry->getArguments()))
    Map.map(From, To);
  B.setInsertionPointToEnd(Entry);
  FailureOr<SmallVector<Value>> Results =
      recompute(Primal.getBody().front(), 0);
  if (failed(Results))
    return failure();
  Value Result = Results->front();
  addAdjoint(Result, arith::ConstantOp::create(
                         B, Loc, FloatAttr::get(Result.getType(), 1.0)));
  for (Operation *Op : llvm::reverse(Recomputed)) {
    Loc = Op->getLoc();
    if (failed(reverse(*Op)))
      return failure();
  }
  SmallVector<Value> Adjoints;
  for (auto [Arg, IsActive] : llvm::zip(Entry->getArguments(), Active))
    if (IsActive) {
      Value A = Adjoint.lookup(Arg);
      Adjoints.push_back(A ? A : zero(Arg.getType()));
    }
  func::ReturnOp::create(B, Primal.getLoc(), Adjoints);
  return success();
}

} // namespace

FailureOr<func::FuncOp> gradientFunction(func::FuncOp Primal,
                                         ArrayRef<bool> Active) {
  auto Module = Primal->getParentOfType<ModuleOp>();
  std::string Name = ("fluxion.grad." + Primal.getSymName()).str();
  SmallVector<Type> Adjoints;
  for (auto [Input, IsActive] :
       llvm::zip(Primal.getFunctionType().getInputs(), Active)) {
    Name += IsActive ? ".active" : ".const";
    if (IsActive)
      Adjoints.push_back(Input);
  }
  if (auto Existing = Module.lookupSymbol<func::FuncOp>(Name))
    return Existing;
  OpBuilder B(Module.getBodyRegion());
  B.setInsertionPointToEnd(Module.getBody());
  auto Target = func::FuncOp::create(
      B, Primal.getLoc(), Name,
      B.getFunctionType(Primal.getFunctionType().getInputs(), Adjoints));
  Target.setPrivate();
  GradientBuilder Builder(B);
  if (failed(Builder.build(Primal, Active, Target))) {
    Target.erase();
    return failure();
  }
  return Target;
}

} // namespace fluxion
