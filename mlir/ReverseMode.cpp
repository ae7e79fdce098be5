//===- ReverseMode.cpp - Reverse-mode derivatives of MLIR functions -------===//
//
// The gradient function of a fluxion.autodiff recomputes its callee, with
// calls of single-block callees inlined, then walks the recomputed
// operations backwards from a seed of 1 on the result, adding each
// operand's adjoint (the result's adjoint times the partial from the shared
// rule table). Values outside loops are still live where the walk needs
// them; an scf.for stores the scalars its body computes in memrefs sized by
// its trip count at entry, and its reverse is an scf.for counting down that
// loads them, carrying the adjoints of the iteration arguments and of the
// outer values the body reads. The reverse of an scf.if branches on the
// same condition and computes the taken side again before walking it
// backwards. Loops and branches must have straight-line bodies; other
// structured control flow is an error at its location.
//
//===----------------------------------------------------------------------===//

#include "FluxionDialect.h"
#include "FluxionPasses.h"
#include "MLIRRules.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;

namespace fluxion {
namespace {

/// How deep calls are inlined before a call counts as recursive.
constexpr unsigned MaxInlineDepth = 16;

class GradientBuilder {
public:
  explicit GradientBuilder(OpBuilder &B) : B(B) {}

  LogicalResult build(func::FuncOp Primal, ArrayRef<StringRef> Activities,
                      func::FuncOp Target);

private:
  /// Recomputes \p Body with its arguments mapped; returns the values its
  /// return gives.
  FailureOr<SmallVector<Value>> recompute(Block &Body, unsigned Depth);
  /// Recomputes \p For, storing the scalars of each iteration.
  LogicalResult recomputeLoop(scf::ForOp For);
  LogicalResult reverse(Operation &Op);
  LogicalResult reverseLoop(scf::ForOp For);
  /// The reverse of \p If: a branch on the same condition that computes the
  /// taken side again and walks it backwards.
  LogicalResult reverseBranch(scf::IfOp If);
  LogicalResult checkStraightLine(Operation *Parent);
  /// The adjoint of a load adds to the shadow of what it read; a store's
  /// takes the shadow of what it overwrote and clears it.
  LogicalResult reverseLoad(memref::LoadOp Load);
  LogicalResult reverseStore(memref::StoreOp Store);
  SmallVector<Value> primalIndices(ValueRange Indices);
  /// The primal value of \p V where the reverse code is being built.
  Value primal(Value V) { return Primal.lookupOrDefault(V); }
  void addAdjoint(Value V, Value Delta);
  Value zero(Type T) {
    return arith::ConstantOp::create(B, Loc, FloatAttr::get(T, 0.0));
  }

  OpBuilder &B;
  Location Loc = B.getUnknownLoc();
  IRMapping Map;
  SmallVector<Operation *> Recomputed;
  DenseMap<Value, Value> Adjoint;
  /// The shadow of each "dup" memref argument, where its elements' adjoints
  /// are added; the memref arguments without one are constant.
  DenseMap<Value, Value> Shadow;
  SmallPtrSet<Value, 4> ConstantMemory;
  /// Inside a reverse loop: each scalar of the recomputed loop's body, loaded
  /// from its cache for the iteration being reversed.
  IRMapping Primal;

  /// What a recomputed loop kept for its reverse.
  struct LoopCache {
    Value Trip, LowerBound, Step;
    /// Each scalar of the body (iteration arguments, results of its
    /// operations) and the memref holding it per iteration.
    SmallVector<std::pair<Value, Value>> Slots;
  };
  DenseMap<Operation *, LoopCache> Caches;
};

bool isScalar(Type T) { return T.isIntOrIndexOrFloat(); }

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
    if (auto For = dyn_cast<scf::ForOp>(Op)) {
      if (failed(recomputeLoop(For)))
        return failure();
      continue;
    }
    if (auto If = dyn_cast<scf::IfOp>(Op)) {
      if (failed(checkStraightLine(If)))
        return failure();
      Recomputed.push_back(B.clone(Op, Map));
      continue;
    }
    if (Op.getNumRegions())
      return Op.emitError("fluxion: reverse mode in MLIR supports "
                          "straight-line code, scf.for and scf.if only, not '")
             << Op.getName() << "'";
    Recomputed.push_back(B.clone(Op, Map));
  }
  return Body.getParentOp()->emitError("fluxion: a block without a return");
}

LogicalResult GradientBuilder::checkStraightLine(Operation *Parent) {
  for (Region &R : Parent->getRegions())
    for (Operation &Inner : R.getOps())
      if (Inner.getNumRegions() || isa<func::CallOp>(Inner))
        return Inner.emitError("fluxion: reverse mode in MLIR supports loops "
                               "and branches whose bodies are straight-line "
                               "code, not '")
               << Inner.getName() << "'";
  return success();
}

LogicalResult GradientBuilder::recomputeLoop(scf::ForOp For) {
  if (failed(checkStraightLine(For)))
    return failure();
  Location At = For.getLoc();
  Value Lower = Map.lookupOrDefault(For.getLowerBound());
  Value Upper = Map.lookupOrDefault(For.getUpperBound());
  Value Step = Map.lookupOrDefault(For.getStep());
  // ceil((upper - lower) / step), at least 0, for a positive step.
  Type IndexTy = Lower.getType();
  auto Constant = [&](int64_t C) -> Value {
    return arith::ConstantOp::create(B, At, B.getIntegerAttr(IndexTy, C));
  };
  Value Span = arith::SubIOp::create(B, At, Upper, Lower);
  Value Rounded = arith::AddIOp::create(
      B, At, Span, arith::SubIOp::create(B, At, Step, Constant(1)));
  Value Trip = arith::MaxSIOp::create(
      B, At, arith::DivSIOp::create(B, At, Rounded, Step), Constant(0));
  auto New = cast<scf::ForOp>(B.clone(*For, Map));
  Recomputed.push_back(New);

  LoopCache &Cache = Caches[New];
  Cache.Trip = Trip;
  Cache.LowerBound = Lower;
  Cache.Step = Step;
  SmallVector<Value> Scalars;
  for (Value Arg : New.getRegionIterArgs())
    if (isScalar(Arg.getType()))
      Scalars.push_back(Arg);
  for (Operation &Inner : New.getBody()->without_terminator())
    for (Value Result : Inner.getResults())
      if (isScalar(Result.getType()))
        Scalars.push_back(Result);
  OpBuilder::InsertionGuard Guard(B);
  B.setInsertionPoint(New);
  Value Size = Trip;
  if (!Size.getType().isIndex())
    Size = arith::IndexCastOp::create(B, At, B.getIndexType(), Trip);
  for (Value Scalar : Scalars)
    Cache.Slots.push_back(
        {Scalar,
         memref::AllocOp::create(
             B, At, MemRefType::get({ShapedType::kDynamic}, Scalar.getType()),
             ValueRange{Size})});
  B.setInsertionPoint(New.getBody()->getTerminator());
  Value Offset = arith::SubIOp::create(B, At, New.getInductionVar(), Lower);
  Value Index = arith::DivSIOp::create(B, At, Offset, Step);
  if (!Index.getType().isIndex())
    Index = arith::IndexCastOp::create(B, At, B.getIndexType(), Index);
  for (auto [Scalar, Memory] : Cache.Slots)
    memref::StoreOp::create(B, At, Scalar, Memory, ValueRange{Index});
  return success();
}

LogicalResult GradientBuilder::reverseLoop(scf::ForOp For) {
  LoopCache &Cache = Caches[For];
  Block &Body = *For.getBody();
  // Floating values from outside the loop that the body reads: their
  // adjoints accumulate across iterations.
  llvm::SetVector<Value> Outer;
  for (Operation &Inner : Body.without_terminator())
    for (Value Operand : Inner.getOperands())
      if (isa<FloatType>(Operand.getType()) &&
          Operand.getParentBlock() != &Body)
        Outer.insert(Operand);
  SmallVector<unsigned> Carried;
  for (auto [Idx, Arg] : llvm::enumerate(For.getRegionIterArgs()))
    if (isa<FloatType>(Arg.getType()))
      Carried.push_back(Idx);

  SmallVector<Value> Inits;
  for (unsigned Idx : Carried) {
    Value A = Adjoint.lookup(For.getResult(Idx));
    Inits.push_back(A ? A : zero(For.getResult(Idx).getType()));
  }
  for (Value V : Outer) {
    Value A = Adjoint.lookup(V);
    Inits.push_back(A ? A : zero(V.getType()));
  }
  Location At = For.getLoc();
  Type IndexTy = Cache.Trip.getType();
  auto Constant = [&](int64_t C) -> Value {
    return arith::ConstantOp::create(B, At, B.getIntegerAttr(IndexTy, C));
  };
  auto Reverse =
      scf::ForOp::create(B, At, Constant(0), Cache.Trip, Constant(1), Inits);
  {
    OpBuilder::InsertionGuard Guard(B);
    Block &RevBody = *Reverse.getBody();
    if (!RevBody.empty())
      RevBody.getTerminator()->erase();
    B.setInsertionPointToEnd(&RevBody);
    // Iteration j of the primal, counted down.
    Value J = arith::SubIOp::create(
        B, At, arith::SubIOp::create(B, At, Cache.Trip, Constant(1)),
        Reverse.getInductionVar());
    Value Index = J;
    if (!Index.getType().isIndex())
      Index = arith::IndexCastOp::create(B, At, B.getIndexType(), J);
    Primal.clear();
    Primal.map(
        For.getInductionVar(),
        arith::AddIOp::create(B, At, Cache.LowerBound,
                              arith::MulIOp::create(B, At, J, Cache.Step)));
    for (auto [Scalar, Memory] : Cache.Slots)
      Primal.map(Scalar,
                 memref::LoadOp::create(B, At, Memory, ValueRange{Index}));
    DenseMap<Value, Value> Saved = std::move(Adjoint);
    Adjoint.clear();
    for (auto [Pos, Idx] : llvm::enumerate(Carried))
      addAdjoint(Body.getTerminator()->getOperand(Idx),
                 RevBody.getArgument(1 + Pos));
    for (auto [Pos, V] : llvm::enumerate(Outer))
      addAdjoint(V, RevBody.getArgument(1 + Carried.size() + Pos));
    for (Operation &Inner : llvm::reverse(Body.without_terminator()))
      if (failed(reverse(Inner)))
        return failure();
    SmallVector<Value> Yielded;
    for (unsigned Idx : Carried) {
      Value Arg = For.getRegionIterArgs()[Idx];
      Value A = Adjoint.lookup(Arg);
      Yielded.push_back(A ? A : zero(Arg.getType()));
    }
    for (Value V : Outer)
      Yielded.push_back(Adjoint.lookup(V));
    scf::YieldOp::create(B, At, Yielded);
    Adjoint = std::move(Saved);
    Primal.clear();
  }
  // The outer adjoints were carried from their values before the loop; an
  // initial value may be one of them too.
  for (auto [Pos, V] : llvm::enumerate(Outer))
    Adjoint[V] = Reverse.getResult(Carried.size() + Pos);
  for (auto [Pos, Idx] : llvm::enumerate(Carried))
    addAdjoint(For.getInitArgs()[Idx], Reverse.getResult(Pos));
  for (auto [Scalar, Memory] : Cache.Slots)
    memref::DeallocOp::create(B, At, Memory);
  return success();
}

LogicalResult GradientBuilder::reverseBranch(scf::IfOp If) {
  // Floating values from outside that either side reads.
  llvm::SetVector<Value> Outer;
  for (Region &Side : If->getRegions())
    for (Operation &Inner : Side.getOps())
      for (Value Operand : Inner.getOperands())
        if (isa<FloatType>(Operand.getType()) &&
            !Side.isAncestor(Operand.getParentRegion()))
          Outer.insert(Operand);
  SmallVector<Type> Types;
  for (Value V : Outer)
    Types.push_back(V.getType());
  Location At = If.getLoc();
  auto Reverse = scf::IfOp::create(B, At, Types, primal(If.getCondition()),
                                   /*withElseRegion=*/true);
  for (auto [From, To] : llvm::zip(If->getRegions(), Reverse->getRegions())) {
    OpBuilder::InsertionGuard Guard(B);
    Block &Target = To.front();
    if (!Target.empty())
      Target.getTerminator()->erase();
    B.setInsertionPointToEnd(&Target);
    DenseMap<Value, Value> Saved = Adjoint;
    IRMapping SavedPrimal = Primal;
    if (!From.empty()) {
      Block &Side = From.front();
      // The side's values, computed again where its reverse runs.
      for (Operation &Inner : Side.without_terminator())
        B.clone(Inner, Primal);
      for (auto [Idx, Result] : llvm::enumerate(If.getResults()))
        if (Value A = Saved.lookup(Result))
          addAdjoint(Side.getTerminator()->getOperand(Idx), A);
      for (Operation &Inner : llvm::reverse(Side.without_terminator()))
        if (failed(reverse(Inner)))
          return failure();
    }
    SmallVector<Value> Yielded;
    for (Value V : Outer) {
      Value A = Adjoint.lookup(V);
      Yielded.push_back(A ? A : zero(V.getType()));
    }
    scf::YieldOp::create(B, At, Yielded);
    Adjoint = std::move(Saved);
    Primal = std::move(SavedPrimal);
  }
  for (auto [Pos, V] : llvm::enumerate(Outer))
    Adjoint[V] = Reverse.getResult(Pos);
  return success();
}

SmallVector<Value> GradientBuilder::primalIndices(ValueRange Indices) {
  SmallVector<Value> Result;
  for (Value Index : Indices)
    Result.push_back(primal(Index));
  return Result;
}

LogicalResult GradientBuilder::reverseLoad(memref::LoadOp Load) {
  Value Seed = Adjoint.lookup(Load.getResult());
  if (!Seed)
    return success();
  Value Memory = Shadow.lookup(Load.getMemRef());
  if (!Memory) {
    if (ConstantMemory.contains(Load.getMemRef()))
      return success();
    return Load.emitError("fluxion: reverse mode in MLIR tracks the "
                          "adjoints of \"dup\" memref arguments only");
  }
  SmallVector<Value> Indices = primalIndices(Load.getIndices());
  Value Old = memref::LoadOp::create(B, Loc, Memory, Indices);
  memref::StoreOp::create(B, Loc, arith::AddFOp::create(B, Loc, Old, Seed),
                          Memory, Indices);
  return success();
}

LogicalResult GradientBuilder::reverseStore(memref::StoreOp Store) {
  Value Memory = Shadow.lookup(Store.getMemRef());
  if (!Memory)
    return success();
  SmallVector<Value> Indices = primalIndices(Store.getIndices());
  Value Flowing = memref::LoadOp::create(B, Loc, Memory, Indices);
  memref::StoreOp::create(B, Loc, zero(Flowing.getType()), Memory, Indices);
  addAdjoint(Store.getValue(), Flowing);
  return success();
}

void GradientBuilder::addAdjoint(Value V, Value Delta) {
  Value &Sum = Adjoint[V];
  Sum = Sum ? arith::AddFOp::create(B, Loc, Sum, Delta).getResult() : Delta;
}

LogicalResult GradientBuilder::reverse(Operation &Op) {
  if (auto For = dyn_cast<scf::ForOp>(Op))
    return reverseLoop(For);
  if (auto If = dyn_cast<scf::IfOp>(Op))
    return reverseBranch(If);
  if (auto Store = dyn_cast<memref::StoreOp>(Op))
    return reverseStore(Store);
  if (auto Load = dyn_cast<memref::LoadOp>(Op))
    return reverseLoad(Load);
  if (Op.getNumResults() != 1)
    return success();
  Value Seed = Adjoint.lookup(Op.getResult(0));
  if (!Seed)
    return success();
  if (const ElementwiseRule *Rule = findMLIRRule(Op)) {
    auto Fetch = [&](int Idx) -> Value {
      return primal(Idx < 0 ? Op.getResult(0) : Op.getOperand(Idx));
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
    addAdjoint(Select.getTrueValue(),
               arith::SelectOp::create(B, Loc, primal(Select.getCondition()),
                                       Seed, None));
    addAdjoint(Select.getFalseValue(),
               arith::SelectOp::create(B, Loc, primal(Select.getCondition()),
                                       None, Seed));
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

LogicalResult GradientBuilder::build(func::FuncOp Primal,
                                     ArrayRef<StringRef> Activities,
                                     func::FuncOp Target) {
  if (!Primal.getBody().hasOneBlock())
    return Primal.emitError("fluxion: reverse mode in MLIR needs a function "
                            "of one block");
  Block *Entry = Target.addEntryBlock();
  SmallVector<Value> Active;
  unsigned Next = 0;
  for (auto [From, Activity] : llvm::zip(Primal.getArguments(), Activities)) {
    Value To = Entry->getArgument(Next++);
    Map.map(From, To);
    if (Activity == "dup")
      Shadow[To] = Entry->getArgument(Next++);
    else if (isa<MemRefType>(To.getType()))
      ConstantMemory.insert(To);
    if (Activity == "active")
      Active.push_back(To);
  }
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
  for (Value Arg : Active) {
    Value A = Adjoint.lookup(Arg);
    Adjoints.push_back(A ? A : zero(Arg.getType()));
  }
  func::ReturnOp::create(B, Primal.getLoc(), Adjoints);
  return success();
}

} // namespace

FailureOr<func::FuncOp> gradientFunction(func::FuncOp Primal,
                                         ArrayRef<StringRef> Activities) {
  auto Module = Primal->getParentOfType<ModuleOp>();
  std::string Name = ("fluxion.grad." + Primal.getSymName()).str();
  SmallVector<Type> Inputs, Adjoints;
  for (auto [Input, Activity] :
       llvm::zip(Primal.getFunctionType().getInputs(), Activities)) {
    Name += ("." + Activity).str();
    Inputs.push_back(Input);
    if (Activity == "dup")
      Inputs.push_back(Input);
    if (Activity == "active")
      Adjoints.push_back(Input);
  }
  if (auto Existing = Module.lookupSymbol<func::FuncOp>(Name))
    return Existing;
  OpBuilder B(Module.getBodyRegion());
  B.setInsertionPointToEnd(Module.getBody());
  auto Target = func::FuncOp::create(B, Primal.getLoc(), Name,
                                     B.getFunctionType(Inputs, Adjoints));
  Target.setPrivate();
  GradientBuilder Builder(B);
  if (failed(Builder.build(Primal, Activities, Target))) {
    Target.erase();
    return failure();
  }
  return Target;
}

} // namespace fluxion
