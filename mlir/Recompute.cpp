//===- Recompute.cpp - The forward sweep of MLIR gradients ----------------===//
//
// Computes the callee again inside its gradient function, keeping what the
// reverse sweep needs (see GradientBuilder.h): loop caches, the inner
// scalars of branches as results, shadows of local and workgroup memory.
//
//===----------------------------------------------------------------------===//

#include "FluxionPasses.h"
#include "GradientBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/ScopeExit.h"

using namespace mlir;

namespace fluxion {
namespace {

/// How deep calls are inlined before a call counts as recursive.
constexpr unsigned MaxInlineDepth = 16;

bool isScalar(Type T) { return T.isIntOrIndexOrFloat(); }

/// Whether \p V is defined inside \p Op (a block argument of its regions
/// included).
bool definedInside(Operation *Op, Value V) {
  return Op->isAncestor(V.getParentRegion()->getParentOp());
}

} // namespace

Value GradientBuilder::zero(Type T) {
  return arith::ConstantOp::create(B, Loc, cast<TypedAttr>(B.getZeroAttr(T)));
}

Value GradientBuilder::index(int64_t C) {
  return arith::ConstantIndexOp::create(B, Loc, C);
}

/// \p V as an index.
static Value asIndex(OpBuilder &B, Location Loc, Value V) {
  if (V.getType().isIndex())
    return V;
  return arith::IndexCastOp::create(B, Loc, B.getIndexType(), V);
}

FailureOr<SmallVector<Value>> GradientBuilder::recompute(Block &Src,
                                                         unsigned Depth) {
  for (Operation &Op : Src) {
    if (Op.hasTrait<OpTrait::IsTerminator>()) {
      SmallVector<Value> Results;
      for (Value V : Op.getOperands())
        Results.push_back(Map.lookupOrDefault(V));
      return Results;
    }
    if (failed(recomputeOp(Op, Depth)))
      return failure();
  }
  return Src.getParentOp()->emitError("fluxion: a block without terminator");
}

LogicalResult GradientBuilder::recomputeOp(Operation &Op, unsigned Depth) {
  Loc = Op.getLoc();
  if (auto Call = dyn_cast<func::CallOp>(Op))
    return recomputeCall(Call, Depth);
  if (auto For = dyn_cast<scf::ForOp>(Op))
    return recomputeFor(For, Depth);
  if (auto Loop = dyn_cast<scf::ParallelOp>(Op))
    return recomputeParallel(Loop, Depth);
  if (isa<scf::IfOp, scf::IndexSwitchOp>(Op))
    return recomputeBranch(&Op, Depth);
  if (auto While = dyn_cast<scf::WhileOp>(Op))
    return recomputeWhile(While, Depth);
  if (isa<memref::AllocOp, memref::AllocaOp>(Op))
    return recomputeAllocation(Op);
  if (auto View = dyn_cast<memref::SubViewOp>(Op))
    return recomputeSubView(View);
  if (auto Get = dyn_cast<memref::GetGlobalOp>(Op))
    return recomputeGlobal(Get);
  // Local memory is freed after the reverse sweep has used its shadow.
  if (auto Free = dyn_cast<memref::DeallocOp>(Op))
    if (llvm::is_contained(ToFree, Map.lookupOrDefault(Free.getMemref())))
      return success();
  if (Op.getNumRegions())
    return Op.emitError("fluxion: reverse mode in MLIR supports scf.for, "
                        "scf.parallel, scf.while, scf.if and "
                        "scf.index_switch, not '")
           << Op.getName() << "'";
  B.clone(Op, Map);
  return success();
}

LogicalResult GradientBuilder::recomputeCall(func::CallOp Call,
                                             unsigned Depth) {
  auto Callee = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
      Call, Call.getCalleeAttr());
  if (!Callee || Callee.isExternal())
    return Call.emitError("fluxion: no reverse rule for external function '")
           << Call.getCallee() << "'";
  if (!Callee.getBody().hasOneBlock())
    return Call.emitError("fluxion: reverse mode in MLIR cannot inline '")
           << Call.getCallee() << "', a function of several blocks";
  if (Depth == MaxInlineDepth ||
      llvm::is_contained(Inlining, Callee.getOperation())) {
    // A recursive call stays a call, whose reverse calls the callee's
    // gradient. That computes the call again, which only a function of
    // scalars can do: memory it read may have changed since.
    auto Scalars = [](TypeRange Types) {
      return llvm::all_of(Types, [](Type T) { return isScalar(T); });
    };
    if (!Scalars(Call.getOperandTypes()) || !Scalars(Call.getResultTypes()))
      return Call.emitError("fluxion: reverse mode in MLIR differentiates "
                            "recursive calls with scalar arguments and "
                            "results only, not '")
             << Call.getCallee() << "'";
    B.clone(*Call, Map);
    return success();
  }
  for (auto [Arg, Operand] :
       llvm::zip(Callee.getArguments(), Call.getOperands()))
    Map.map(Arg, Map.lookupOrDefault(Operand));
  Inlining.push_back(Callee);
  FailureOr<SmallVector<Value>> Results =
      recompute(Callee.getBody().front(), Depth + 1);
  Inlining.pop_back();
  if (failed(Results))
    return failure();
  for (auto [Result, Value] : llvm::zip(Call.getResults(), *Results))
    Map.map(Result, Value);
  return success();
}

/// ceil((Upper - Lower) / Step), at least 0, for a positive step.
static Value tripCount(OpBuilder &B, Location Loc, Value Lower, Value Upper,
                       Value Step) {
  Value Span = arith::SubIOp::create(B, Loc, asIndex(B, Loc, Upper),
                                     asIndex(B, Loc, Lower));
  return arith::MaxSIOp::create(
      B, Loc, arith::CeilDivSIOp::create(B, Loc, Span, asIndex(B, Loc, Step)),
      arith::ConstantIndexOp::create(B, Loc, 0));
}

void GradientBuilder::computeTrips(LoopCache &Cache, ValueRange Lower,
                                   ValueRange Upper, ValueRange Step) {
  for (auto [L, U, S] : llvm::zip(Lower, Upper, Step)) {
    Value Trip = tripCount(B, Loc, L, U, S);
    Cache.Lower.push_back(L);
    Cache.Step.push_back(S);
    Cache.Trips.push_back(Trip);
    Cache.Trip =
        Cache.Trip ? arith::MulIOp::create(B, Loc, Cache.Trip, Trip) : Trip;
  }
}

FailureOr<Value> GradientBuilder::countIterations(Operation *Loop,
                                                  ValueRange Lower,
                                                  ValueRange Upper,
                                                  ValueRange Step) {
  SmallVector<Operation *> Around;
  for (Operation *Op = Loop->getParentOp();; Op = Op->getParentOp()) {
    if (isa<scf::ForOp, scf::ParallelOp>(Op))
      Around.insert(Around.begin(), Op);
    if (Op == Anchor)
      break;
  }
  OpBuilder::InsertionGuard Guard(B);
  B.setInsertionPoint(Anchor);
  Operation *Before = Anchor->getPrevNode();
  // Bounds computed inside the nest, cloned into the counting nest; loops
  // behind a branch count as if it were taken, which only oversizes.
  IRMapping Counted;
  std::function<FailureOr<Value>(Value)> Slice =
      [&](Value V) -> FailureOr<Value> {
    if (!definedInside(Anchor, V))
      return V;
    if (Value Known = Counted.lookupOrNull(V))
      return Known;
    Operation *Def = V.getDefiningOp();
    if (!Def || Def->getNumRegions() || !isMemoryEffectFree(Def))
      return failure();
    for (Value Operand : Def->getOperands())
      if (failed(Slice(Operand)))
        return failure();
    Operation *Copy = B.clone(*Def, Counted);
    return Copy->getResult(cast<OpResult>(V).getResultNumber());
  };
  auto Sliced = [&](ValueRange Values) -> FailureOr<SmallVector<Value>> {
    SmallVector<Value> Result;
    for (Value V : Values) {
      FailureOr<Value> Copy = Slice(V);
      if (failed(Copy))
        return failure();
      Result.push_back(*Copy);
    }
    return Result;
  };
  std::function<FailureOr<Value>(unsigned, unsigned, Value)> Count =
      [&](unsigned Level, unsigned Dim, Value Sum) -> FailureOr<Value> {
    if (Level == Around.size()) {
      auto L = Sliced(Lower), U = Sliced(Upper), S = Sliced(Step);
      if (failed(L) || failed(U) || failed(S))
        return failure();
      for (auto [From, To, By] : llvm::zip(*L, *U, *S))
        Sum =
            arith::AddIOp::create(B, Loc, Sum, tripCount(B, Loc, From, To, By));
      return Sum;
    }
    Operation *Outer = Around[Level];
    auto For = dyn_cast<scf::ForOp>(Outer);
    auto Parallel = dyn_cast<scf::ParallelOp>(Outer);
    unsigned Dims = For ? 1 : Parallel.getNumLoops();
    if (Dim == Dims)
      return Count(Level + 1, 0, Sum);
    FailureOr<Value> L =
        Slice(For ? For.getLowerBound() : Parallel.getLowerBound()[Dim]);
    FailureOr<Value> U =
        Slice(For ? For.getUpperBound() : Parallel.getUpperBound()[Dim]);
    FailureOr<Value> S = Slice(For ? For.getStep() : Parallel.getStep()[Dim]);
    if (failed(L) || failed(U) || failed(S))
      return failure();
    auto Counting = scf::ForOp::create(B, Loc, *L, *U, *S, ValueRange{Sum});
    Counted.map(For ? For.getInductionVar() : Parallel.getInductionVars()[Dim],
                Counting.getInductionVar());
    OpBuilder::InsertionGuard Inside(B);
    B.setInsertionPointToEnd(Counting.getBody());
    FailureOr<Value> Inner =
        Count(Level, Dim + 1, Counting.getRegionIterArgs().front());
    if (failed(Inner))
      return failure();
    scf::YieldOp::create(B, Loc, *Inner);
    return Counting.getResult(0);
  };
  FailureOr<Value> Total = Count(0, 0, index(0));
  for (Operation &Op :
       llvm::make_range(Before ? std::next(Block::iterator(Before))
                               : Anchor->getBlock()->begin(),
                        Block::iterator(Anchor)))
    Bookkeeping.insert(&Op);
  if (failed(Total))
    return Loop->emitError("fluxion: reverse mode in MLIR needs the bounds "
                           "of a nested loop computed without memory from "
                           "induction variables and values from outside the "
                           "outermost loop");
  return Total;
}

FailureOr<GradientBuilder::LoopCache *>
GradientBuilder::openCache(Operation *Loop, ValueRange Lower, ValueRange Upper,
                           ValueRange Step) {
  bool Varies = false;
  for (ValueRange Bounds : {Lower, Upper, Step})
    for (Value V : Bounds)
      Varies |= Loop != Anchor && definedInside(Anchor, V);
  auto Cache = std::make_unique<LoopCache>();
  OpBuilder::InsertionGuard Guard(B);
  if (Varies) {
    // A run of the loop takes the next Trip entries of its slots, counted
    // by a counter kept from the outermost loop on; the slots are as long
    // as the loop iterates in all.
    FailureOr<Value> Total = countIterations(Loop, Lower, Upper, Step);
    if (failed(Total))
      return failure();
    Cache->Size = *Total;
    B.setInsertionPoint(Anchor);
    Value Counter =
        memref::AllocaOp::create(B, Loc, MemRefType::get({}, B.getIndexType()));
    Bookkeeping.insert(Counter.getDefiningOp());
    Bookkeeping.insert(
        memref::StoreOp::create(B, Loc, index(0), Counter, ValueRange{}));
    B.setInsertionPoint(Loop);
    computeTrips(*Cache, Lower, Upper, Step);
    Cache->Base = memref::LoadOp::create(B, Loc, Counter, ValueRange{});
    Value Next = arith::AddIOp::create(B, Loc, Cache->Base, Cache->Trip);
    Bookkeeping.insert(Next.getDefiningOp());
    Bookkeeping.insert(
        memref::StoreOp::create(B, Loc, Next, Counter, ValueRange{}));
  } else {
    B.setInsertionPoint(Anchor);
    computeTrips(*Cache, Lower, Upper, Step);
    Cache->Size =
        Enclosing ? arith::MulIOp::create(B, Loc, Enclosing->Size, Cache->Trip)
                  : Cache->Trip;
  }
  auto &Slot = Caches[Loop];
  Slot = std::move(Cache);
  return Slot.get();
}

Value GradientBuilder::linearIndex(LoopCache &Cache, ValueRange IVs,
                                   Value EnclosingIndex) {
  auto Keep = [&](Value V) {
    if (Operation *Op = V.getDefiningOp())
      Bookkeeping.insert(Op);
    return V;
  };
  // In the reverse sweep the loop's bounds and counts are the primal's.
  Value Result;
  for (auto [IV, L, S, Trip] :
       llvm::zip(IVs, Cache.Lower, Cache.Step, Cache.Trips)) {
    Value Offset = Keep(arith::SubIOp::create(
        B, Loc, Keep(asIndex(B, Loc, IV)), Keep(asIndex(B, Loc, primal(L)))));
    Value Iteration = Keep(arith::DivSIOp::create(
        B, Loc, Offset, Keep(asIndex(B, Loc, primal(S)))));
    Result =
        Result ? Keep(arith::AddIOp::create(
                     B, Loc,
                     Keep(arith::MulIOp::create(B, Loc, Result, primal(Trip))),
                     Iteration))
               : Iteration;
  }
  if (Cache.Base)
    return Keep(arith::AddIOp::create(B, Loc, primal(Cache.Base), Result));
  if (EnclosingIndex)
    Result = Keep(arith::AddIOp::create(
        B, Loc,
        Keep(arith::MulIOp::create(B, Loc, EnclosingIndex, primal(Cache.Trip))),
        Result));
  return Result;
}

void GradientBuilder::cacheBody(LoopCache &Cache, Block &Body, Value Index) {
  SmallVector<Value> Scalars;
  if (auto For = dyn_cast<scf::ForOp>(Body.getParentOp()))
    for (Value Arg : For.getRegionIterArgs())
      if (isScalar(Arg.getType()))
        Scalars.push_back(Arg);
  for (Operation &Op : Body.without_terminator()) {
    if (Bookkeeping.contains(&Op) || Op.hasTrait<OpTrait::ConstantLike>())
      continue;
    for (Value Result : Op.getResults())
      if (isScalar(Result.getType()))
        Scalars.push_back(Result);
  }
  {
    OpBuilder::InsertionGuard Guard(B);
    B.setInsertionPoint(Anchor);
    // On a GPU each thread keeps its caches on its own stack.
    for (Value Scalar : Scalars) {
      auto Type = MemRefType::get({ShapedType::kDynamic}, Scalar.getType());
      Value Memory;
      if (OnGPU) {
        Memory = memref::AllocaOp::create(B, Loc, Type, ValueRange{Cache.Size});
      } else {
        Memory = memref::AllocOp::create(B, Loc, Type, ValueRange{Cache.Size});
        ToFree.push_back(Memory);
      }
      Cache.Slots.push_back({Scalar, Memory});
    }
  }
  for (auto [Scalar, Memory] : Cache.Slots)
    Bookkeeping.insert(
        memref::StoreOp::create(B, Loc, Scalar, Memory, ValueRange{Index}));
}

LogicalResult GradientBuilder::recomputeLoopBody(
    Operation *New, Block &Source, ValueRange Lower, ValueRange Upper,
    ValueRange Step, ValueRange IVs, unsigned Depth,
    function_ref<Operation *(ArrayRef<Value>)> Terminate) {
  bool IsAnchor = !Anchor;
  if (IsAnchor)
    Anchor = New;
  auto ResetAnchor = llvm::make_scope_exit([&] {
    if (IsAnchor)
      Anchor = nullptr;
  });
  FailureOr<LoopCache *> Cache = openCache(New, Lower, Upper, Step);
  if (failed(Cache))
    return failure();
  Block &Body = New->getRegion(0).front();
  if (!Body.empty() && Body.back().hasTrait<OpTrait::IsTerminator>())
    Body.back().erase();

  OpBuilder::InsertionGuard Guard(B);
  B.setInsertionPointToEnd(&Body);
  Value Index = linearIndex(**Cache, IVs, Position);
  LoopCache *OuterCache = std::exchange(Enclosing, *Cache);
  Value OuterIndex = std::exchange(Position, Index);
  FailureOr<SmallVector<Value>> Ends = recompute(Source, Depth);
  Enclosing = OuterCache;
  Position = OuterIndex;
  if (failed(Ends))
    return failure();
  B.setInsertionPoint(Terminate(*Ends));
  cacheBody(**Cache, Body, Index);
  return success();
}

LogicalResult GradientBuilder::recomputeFor(scf::ForOp For, unsigned Depth) {
  if (For.getUnsignedCmp())
    return For.emitError("fluxion: reverse mode in MLIR needs scf.for with "
                         "signed bounds");
  Value Lower = Map.lookupOrDefault(For.getLowerBound());
  Value Upper = Map.lookupOrDefault(For.getUpperBound());
  Value Step = Map.lookupOrDefault(For.getStep());
  SmallVector<Value> Inits;
  for (Value V : For.getInitArgs())
    Inits.push_back(Map.lookupOrDefault(V));
  auto New = scf::ForOp::create(B, Loc, Lower, Upper, Step, Inits);
  Map.map(For.getInductionVar(), New.getInductionVar());
  for (auto [From, To] :
       llvm::zip(For.getRegionIterArgs(), New.getRegionIterArgs()))
    Map.map(From, To);
  if (failed(recomputeLoopBody(
          New, *For.getBody(), Lower, Upper, Step, New.getInductionVar(), Depth,
          [&](ArrayRef<Value> Yields) {
            return scf::YieldOp::create(B, For.getLoc(), Yields);
          })))
    return failure();
  for (auto [From, To] : llvm::zip(For.getResults(), New.getResults()))
    Map.map(From, To);
  return success();
}

LogicalResult GradientBuilder::recomputeParallel(scf::ParallelOp Loop,
                                                 unsigned Depth) {
  auto Reduce = cast<scf::ReduceOp>(Loop.getBody()->getTerminator());
  for (auto [Operand, Combine] :
       llvm::zip(Reduce.getOperands(), Reduce.getReductions()))
    if (isa<FloatType>(Operand.getType()) && !isSumReduction(Combine))
      return Loop.emitError("fluxion: reverse mode in MLIR supports "
                            "scf.parallel reductions that are sums");
  SmallVector<Value> Lower, Upper, Step, Inits;
  for (Value V : Loop.getInitVals())
    Inits.push_back(Map.lookupOrDefault(V));
  for (auto [From, To] : {std::make_pair(Loop.getLowerBound(), &Lower),
                          std::make_pair(Loop.getUpperBound(), &Upper),
                          std::make_pair(Loop.getStep(), &Step)})
    for (Value V : From)
      To->push_back(Map.lookupOrDefault(V));
  auto New = scf::ParallelOp::create(B, Loc, Lower, Upper, Step, Inits);
  for (auto [From, To] :
       llvm::zip(Loop.getInductionVars(), New.getInductionVars()))
    Map.map(From, To);
  if (failed(recomputeLoopBody(
          New, *Loop.getBody(), Lower, Upper, Step, New.getInductionVars(),
          Depth, [&](ArrayRef<Value> Parts) {
            auto NewReduce = scf::ReduceOp::create(B, Reduce.getLoc(), Parts);
            for (auto [From, To] :
                 llvm::zip(Reduce.getReductions(), NewReduce.getReductions())) {
              To.getBlocks().clear();
              IRMapping Same;
              From.cloneInto(&To, Same);
            }
            return NewReduce;
          })))
    return failure();
  for (auto [From, To] : llvm::zip(Loop.getResults(), New.getResults()))
    Map.map(From, To);
  return success();
}

LogicalResult GradientBuilder::recomputeBranch(Operation *Branch,
                                               unsigned Depth) {
  Value Selector = Map.lookupOrDefault(Branch->getOperand(0));
  Operation *Draft = branchLike(B, Branch, Selector, Branch->getResultTypes());
  bool IsAnchor = !Anchor;
  if (IsAnchor)
    Anchor = Draft;
  auto ResetAnchor = llvm::make_scope_exit([&] {
    if (IsAnchor)
      Anchor = nullptr;
  });
  unsigned Sides = Branch->getNumRegions();
  SmallVector<SmallVector<Value>> Yields(Sides), Inner(Sides);
  for (unsigned Side = 0; Side < Sides; ++Side) {
    Region &From = Branch->getRegion(Side);
    if (From.empty())
      continue;
    OpBuilder::InsertionGuard Guard(B);
    Block &To = Draft->getRegion(Side).front();
    B.setInsertionPointToEnd(&To);
    FailureOr<SmallVector<Value>> Results = recompute(From.front(), Depth);
    if (failed(Results))
      return failure();
    Yields[Side] = std::move(*Results);
    for (Operation &Op : To)
      if (!Op.hasTrait<OpTrait::ConstantLike>())
        for (Value Result : Op.getResults())
          if (isScalar(Result.getType()))
            Inner[Side].push_back(Result);
  }
  // The inner scalars leave through extra results, zero on the other sides.
  SmallVector<Type> Types(Branch->getResultTypes());
  for (ArrayRef<Value> Values : Inner)
    for (Value V : Values)
      Types.push_back(V.getType());
  Operation *Expanded = branchLike(B, Branch, Selector, Types);
  if (IsAnchor)
    Anchor = Expanded;
  for (unsigned Side = 0; Side < Sides; ++Side) {
    Region &To = Expanded->getRegion(Side);
    To.takeBody(Draft->getRegion(Side));
    OpBuilder::InsertionGuard Guard(B);
    B.setInsertionPointToEnd(&To.front());
    SmallVector<Value> Operands(Yields[Side]);
    for (unsigned Other = 0; Other < Sides; ++Other)
      for (Value V : Inner[Other])
        Operands.push_back(Other == Side ? V : zero(V.getType()));
    scf::YieldOp::create(B, Loc, Operands);
  }
  Draft->erase();
  unsigned Next = Branch->getNumResults();
  for (auto [From, To] :
       llvm::zip(Branch->getResults(), Expanded->getResults()))
    Map.map(From, To);
  for (ArrayRef<Value> Values : Inner)
    for (Value V : Values)
      Exposed[V] = Expanded->getResult(Next++);
  return success();
}

memref::GlobalOp shadowGlobal(memref::GlobalOp Global) {
  std::string Name = (Global.getSymName() + "_fluxion_shadow").str();
  Operation *Table = Global->getParentOp();
  if (auto Existing = dyn_cast_or_null<memref::GlobalOp>(
          SymbolTable::lookupSymbolIn(Table, Name)))
    return Existing;
  OpBuilder B(Global);
  B.setInsertionPointAfter(Global);
  auto Copy = cast<memref::GlobalOp>(B.clone(*Global));
  Copy.setSymName(Name);
  Copy.setPrivate();
  return Copy;
}

void GradientBuilder::keepSince(Operation *First) {
  for (Operation &Op :
       llvm::make_range(Block::iterator(First), B.getInsertionPoint()))
    Bookkeeping.insert(&Op);
}

void GradientBuilder::forEachElement(Value Memory,
                                     function_ref<void(ValueRange)> Body) {
  auto Type = cast<MemRefType>(Memory.getType());
  SmallVector<Value> Indices;
  std::function<void(unsigned)> Nest = [&](unsigned Dim) {
    if (Dim == Type.getRank())
      return Body(Indices);
    Value Extent = memref::DimOp::create(B, Loc, Memory, Dim);
    auto For = scf::ForOp::create(B, Loc, index(0), Extent, index(1));
    OpBuilder::InsertionGuard Guard(B);
    B.setInsertionPoint(For.getBody()->getTerminator());
    Indices.push_back(For.getInductionVar());
    Nest(Dim + 1);
    Indices.pop_back();
  };
  Nest(0);
}

void GradientBuilder::zeroFill(Value Memory) {
  Value Zero = zero(cast<MemRefType>(Memory.getType()).getElementType());
  forEachElement(Memory, [&](ValueRange Indices) {
    memref::StoreOp::create(B, Loc, Zero, Memory, Indices);
  });
}

LogicalResult GradientBuilder::recomputeAllocation(Operation &Op) {
  // Memory allocated in a loop's body lives for an iteration: its shadow
  // is allocated again in the reverse of each iteration (loadSlots).
  if (Caches.count(B.getInsertionBlock()->getParentOp())) {
    IterationLocal.insert(B.clone(Op, Map));
    return success();
  }
  if (Anchor)
    return Op.emitError("fluxion: reverse mode in MLIR needs memory "
                        "allocated in a loop's body or outside loops and "
                        "branches");
  Operation *New = B.clone(Op, Map);
  Value Memory = New->getResult(0);
  bool OnHeap = isa<memref::AllocOp>(Op);
  if (OnHeap)
    ToFree.push_back(Memory);
  if (!isa<FloatType>(cast<MemRefType>(Memory.getType()).getElementType()))
    return success();
  Operation *ShadowAllocation = B.clone(*New);
  Value ShadowMemory = ShadowAllocation->getResult(0);
  Bookkeeping.insert(ShadowAllocation);
  Shadow[Memory] = ShadowMemory;
  if (OnHeap)
    ToFree.push_back(ShadowMemory);
  zeroFill(ShadowMemory);
  keepSince(ShadowAllocation);
  return success();
}

LogicalResult GradientBuilder::recomputeSubView(memref::SubViewOp View) {
  auto New = cast<memref::SubViewOp>(B.clone(*View, Map));
  Value Source = New.getSource();
  if (ConstantMemory.contains(Source))
    ConstantMemory.insert(New);
  if (Value SourceShadow = Shadow.lookup(Source)) {
    IRMapping ToShadow;
    ToShadow.map(Source, SourceShadow);
    Operation *ShadowView = B.clone(*New, ToShadow);
    Bookkeeping.insert(ShadowView);
    Shadow[New] = ShadowView->getResult(0);
  }
  return success();
}

LogicalResult GradientBuilder::recomputeGlobal(memref::GetGlobalOp Get) {
  auto New = cast<memref::GetGlobalOp>(B.clone(*Get, Map));
  auto Global = SymbolTable::lookupNearestSymbolFrom<memref::GlobalOp>(
      Get, Get.getNameAttr());
  if (!Global || Global.getConstant()) {
    ConstantMemory.insert(New);
    return success();
  }
  MemRefType Type = Get.getType();
  if (!isa<FloatType>(Type.getElementType()) ||
      !gpu::GPUDialect::isWorkgroupMemoryAddressSpace(Type.getMemorySpace()))
    return success();
  if (Anchor)
    return Get.emitError("fluxion: reverse mode in MLIR needs workgroup "
                         "memory taken outside loops and branches");
  // A shadow in workgroup memory, zeroed by the threads together.
  StringRef Name = shadowGlobal(Global).getSymName();
  Value ShadowMemory = memref::GetGlobalOp::create(B, Loc, Type, Name);
  Shadow[New] = ShadowMemory;
  Bookkeeping.insert(ShadowMemory.getDefiningOp());
  auto Thread = [&](gpu::Dimension D) -> Value {
    return gpu::ThreadIdOp::create(B, Loc, D);
  };
  auto Extent = [&](gpu::Dimension D) -> Value {
    return gpu::BlockDimOp::create(B, Loc, D);
  };
  Value X = Extent(gpu::Dimension::x), Y = Extent(gpu::Dimension::y);
  Value Self = arith::AddIOp::create(
      B, Loc, Thread(gpu::Dimension::x),
      arith::MulIOp::create(
          B, Loc, X,
          arith::AddIOp::create(
              B, Loc, Thread(gpu::Dimension::y),
              arith::MulIOp::create(B, Loc, Y, Thread(gpu::Dimension::z)))));
  Value Threads = arith::MulIOp::create(
      B, Loc, arith::MulIOp::create(B, Loc, X, Y), Extent(gpu::Dimension::z));
  auto For =
      scf::ForOp::create(B, Loc, Self, index(Type.getNumElements()), Threads);
  {
    OpBuilder::InsertionGuard Guard(B);
    B.setInsertionPoint(For.getBody()->getTerminator());
    SmallVector<Value> Indices;
    Value Rest = For.getInductionVar();
    for (int64_t Extent : llvm::reverse(Type.getShape())) {
      Indices.push_back(arith::RemSIOp::create(B, Loc, Rest, index(Extent)));
      Rest = arith::DivSIOp::create(B, Loc, Rest, index(Extent));
    }
    std::reverse(Indices.begin(), Indices.end());
    memref::StoreOp::create(B, Loc, zero(Type.getElementType()), ShadowMemory,
                            Indices);
  }
  gpu::BarrierOp::create(B, Loc);
  keepSince(ShadowMemory.getDefiningOp());
  return success();
}

} // namespace fluxion
