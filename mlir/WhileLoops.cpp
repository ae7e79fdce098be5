//===- WhileLoops.cpp - scf.while in MLIR gradients -----------------------===//
//
// An scf.while runs an unknown number of times, so its caches grow: the
// recomputed loop carries an iteration counter k and one memref per scalar
// of its regions, doubled when full. The "before" region runs k + 1 times
// and the "after" region k times; both store their scalars at index k.
// The reverse walks the last "before" backwards, then an scf.for counts k
// down, walking "after" and "before" of each iteration backwards and
// carrying the adjoints of the loop's arguments and of the outer values it
// reads.
//
//===----------------------------------------------------------------------===//

#include "GradientBuilder.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;

namespace fluxion {
namespace {

constexpr int64_t InitialCapacity = 16;

bool isScalar(Type T) { return T.isIntOrIndexOrFloat(); }

/// The scalars \p Body computes: its first \p Arguments arguments and the
/// results of its operations, constants and \p Skip aside.
SmallVector<Value> scalarsOf(Block &Body, unsigned Arguments,
                             const SmallPtrSetImpl<Operation *> &Skip) {
  SmallVector<Value> Scalars;
  for (Value Arg : Body.getArguments().take_front(Arguments))
    if (isScalar(Arg.getType()))
      Scalars.push_back(Arg);
  for (Operation &Op : Body.without_terminator())
    if (!Skip.contains(&Op) && !Op.hasTrait<OpTrait::ConstantLike>())
      for (Value Result : Op.getResults())
        if (isScalar(Result.getType()))
          Scalars.push_back(Result);
  return Scalars;
}

} // namespace

LogicalResult GradientBuilder::recomputeWhile(scf::WhileOp While,
                                              unsigned Depth) {
  if (Anchor)
    return While.emitError("fluxion: reverse mode in MLIR supports scf.while "
                           "outside loops and branches");
  WalkResult Nested = While->walk([&](Operation *Inner) {
    if (Inner != While && isa<scf::ForOp, scf::ParallelOp, scf::WhileOp>(Inner))
      return WalkResult::interrupt();
    return WalkResult::advance();
  });
  if (Nested.wasInterrupted())
    return While.emitError("fluxion: reverse mode in MLIR supports scf.while "
                           "without loops inside");
  SmallVector<Value> Inits;
  for (Value V : While.getInits())
    Inits.push_back(Map.lookupOrDefault(V));
  Block &SourceBefore = While.getBefore().front();
  Block &SourceAfter = While.getAfter().front();
  unsigned Arguments = SourceBefore.getNumArguments();
  unsigned Forwarded = SourceAfter.getNumArguments();

  // The regions, recomputed into a draft with the loop's own signature.
  auto Draft =
      scf::WhileOp::create(B, Loc, While.getResultTypes(), ValueRange(Inits));
  Anchor = Draft;
  auto Rebuild = [&](Block &Source, Region &Into) -> FailureOr<Block *> {
    OpBuilder::InsertionGuard Guard(B);
    SmallVector<Location> Locs(Source.getNumArguments(), Loc);
    Block *Body = B.createBlock(&Into, {}, Source.getArgumentTypes(), Locs);
    for (auto [From, To] :
         llvm::zip(Source.getArguments(), Body->getArguments()))
      Map.map(From, To);
    FailureOr<SmallVector<Value>> Ends = recompute(Source, Depth);
    if (failed(Ends))
      return failure();
    Location At = Source.getTerminator()->getLoc();
    if (isa<scf::ConditionOp>(Source.getTerminator()))
      scf::ConditionOp::create(B, At, Ends->front(),
                               ArrayRef<Value>(*Ends).drop_front());
    else
      scf::YieldOp::create(B, At, *Ends);
    return Body;
  };
  FailureOr<Block *> Before = Rebuild(SourceBefore, Draft.getBefore());
  FailureOr<Block *> After = failed(Before)
                                 ? FailureOr<Block *>(failure())
                                 : Rebuild(SourceAfter, Draft.getAfter());
  Anchor = nullptr;
  if (failed(After)) {
    Draft.erase();
    return failure();
  }
  SmallVector<Value> BeforeScalars =
      scalarsOf(**Before, Arguments, Bookkeeping);
  SmallVector<Value> AfterScalars = scalarsOf(**After, Forwarded, Bookkeeping);

  // The loop again, carrying k and the caches.
  SmallVector<Value> Slots;
  SmallVector<Type> SlotTypes;
  for (ArrayRef<Value> Scalars : {BeforeScalars, AfterScalars})
    for (Value Scalar : Scalars) {
      auto Type = MemRefType::get({ShapedType::kDynamic}, Scalar.getType());
      Value Memory = memref::AllocOp::create(
          B, Loc, Type, ValueRange{index(InitialCapacity)});
      Bookkeeping.insert(Memory.getDefiningOp());
      Slots.push_back(Memory);
      SlotTypes.push_back(Type);
    }
  SmallVector<Value> Operands(Inits);
  Operands.push_back(index(0));
  llvm::append_range(Operands, Slots);
  SmallVector<Type> Types(While.getResultTypes());
  Types.push_back(B.getIndexType());
  llvm::append_range(Types, SlotTypes);
  auto Final = scf::WhileOp::create(B, Loc, Types, ValueRange(Operands));
  Final.getBefore().takeBody(Draft.getBefore());
  Final.getAfter().takeBody(Draft.getAfter());
  Draft.erase();
  auto AddCarried = [&](Block &Body) {
    SmallVector<Value> Carried = {Body.addArgument(B.getIndexType(), Loc)};
    for (Type T : SlotTypes)
      Carried.push_back(Body.addArgument(T, Loc));
    return Carried;
  };
  SmallVector<Value> InBefore = AddCarried(Final.getBefore().front());
  SmallVector<Value> InAfter = AddCarried(Final.getAfter().front());
  // What is added to the regions from here on is bookkeeping.
  SmallPtrSet<Operation *, 32> Recomputed;
  for (Region *R : {&Final.getBefore(), &Final.getAfter()})
    for (Operation &Op : R->front())
      Recomputed.insert(&Op);
  Value Count = InBefore.front();
  {
    // Before: grow the caches when k reaches their size, store at k.
    OpBuilder::InsertionGuard Guard(B);
    Block &Body = Final.getBefore().front();
    B.setInsertionPointToStart(&Body);
    SmallVector<Value> Grown(InBefore.begin() + 1, InBefore.end());
    if (!Grown.empty()) {
      Value Size = memref::DimOp::create(B, Loc, Grown.front(), 0);
      Value Full =
          arith::CmpIOp::create(B, Loc, arith::CmpIPredicate::uge, Count, Size);
      auto Grow = scf::IfOp::create(B, Loc, SlotTypes, Full,
                                    /*withElseRegion=*/true);
      {
        OpBuilder::InsertionGuard Inner(B);
        B.setInsertionPointToStart(&Grow.getThenRegion().front());
        Value Twice = arith::MulIOp::create(B, Loc, Size, index(2));
        SmallVector<Value> Larger;
        for (auto [Old, Type] : llvm::zip(Grown, SlotTypes)) {
          Value New = memref::AllocOp::create(B, Loc, cast<MemRefType>(Type),
                                              ValueRange{Twice});
          auto Copy = scf::ForOp::create(B, Loc, index(0), Size, index(1));
          OpBuilder::InsertionGuard InCopy(B);
          B.setInsertionPoint(Copy.getBody()->getTerminator());
          Value I = Copy.getInductionVar();
          memref::StoreOp::create(
              B, Loc, memref::LoadOp::create(B, Loc, Old, ValueRange{I}), New,
              ValueRange{I});
          B.setInsertionPointAfter(Copy);
          memref::DeallocOp::create(B, Loc, Old);
          Larger.push_back(New);
        }
        scf::YieldOp::create(B, Loc, Larger);
        B.setInsertionPointToStart(&Grow.getElseRegion().front());
        scf::YieldOp::create(B, Loc, Grown);
      }
      Grown.assign(Grow.getResults().begin(), Grow.getResults().end());
    }
    auto Condition = cast<scf::ConditionOp>(Body.getTerminator());
    B.setInsertionPoint(Condition);
    for (auto [Scalar, Memory] : llvm::zip(BeforeScalars, Grown))
      memref::StoreOp::create(B, Loc, Scalar, Memory, ValueRange{Count});
    SmallVector<Value> Args(Condition.getArgs());
    Args.push_back(Count);
    llvm::append_range(Args, Grown);
    scf::ConditionOp::create(B, Condition.getLoc(), Condition.getCondition(),
                             Args);
    Condition.erase();
  }
  {
    // After: store at k, go on with k + 1.
    OpBuilder::InsertionGuard Guard(B);
    Block &Body = Final.getAfter().front();
    auto Yield = cast<scf::YieldOp>(Body.getTerminator());
    B.setInsertionPoint(Yield);
    Value K = InAfter.front();
    ArrayRef<Value> Caches = ArrayRef<Value>(InAfter).drop_front();
    for (auto [Scalar, Memory] :
         llvm::zip(AfterScalars, Caches.drop_front(BeforeScalars.size())))
      memref::StoreOp::create(B, Loc, Scalar, Memory, ValueRange{K});
    SmallVector<Value> Yielded(Yield.getResults());
    Yielded.push_back(arith::AddIOp::create(B, Loc, K, index(1)));
    llvm::append_range(Yielded, Caches);
    scf::YieldOp::create(B, Yield.getLoc(), Yielded);
    Yield.erase();
  }
  for (Region *R : {&Final.getBefore(), &Final.getAfter()})
    for (Operation &Op : R->front().without_terminator())
      if (!Recomputed.contains(&Op))
        Bookkeeping.insert(&Op);

  for (auto [From, To] : llvm::zip(While.getResults(), Final.getResults()))
    Map.map(From, To);
  WhileCache &Cache = WhileCaches[Final];
  unsigned Results = While.getNumResults();
  Cache.Results = Results;
  Cache.Arguments = Arguments;
  Cache.Count = Final.getResult(Results);
  ValueRange Filled = Final.getResults().drop_front(Results + 1);
  for (auto [Pos, Scalar] : llvm::enumerate(BeforeScalars))
    Cache.Before.push_back({Scalar, Filled[Pos]});
  for (auto [Pos, Scalar] : llvm::enumerate(AfterScalars))
    Cache.After.push_back({Scalar, Filled[BeforeScalars.size() + Pos]});
  llvm::append_range(ToFree, Filled);
  return success();
}

LogicalResult GradientBuilder::reverseWhile(scf::WhileOp While) {
  WhileCache &Cache = WhileCaches[While];
  Block &Before = While.getBefore().front();
  Block &After = While.getAfter().front();
  auto Condition = cast<scf::ConditionOp>(Before.getTerminator());
  auto Yield = cast<scf::YieldOp>(After.getTerminator());
  unsigned Results = Cache.Results, Arguments = Cache.Arguments;
  CarriedValues Carried;
  for (unsigned Idx = 0; Idx < Arguments; ++Idx)
    if (isa<FloatType>(Before.getArgument(Idx).getType())) {
      Carried.Entering.push_back(Before.getArgument(Idx));
      Carried.Leaving.push_back(Yield.getOperand(Idx));
      Carried.Arriving.push_back(Before.getArgument(Idx));
      Carried.Inits.push_back(While.getInits()[Idx]);
    }

  // The last "before", which ended the loop.
  IRMapping SavedPrimal = Primal;
  loadSlots(Cache.Before, Before, Cache.Count);
  for (unsigned Idx = 0; Idx < Results; ++Idx)
    if (Value A = Adjoint.lookup(While.getResult(Idx)))
      addAdjoint(Condition.getArgs()[Idx], A);
  if (failed(reverseBlock(Before)))
    return failure();
  Primal = SavedPrimal;

  // Then each iteration: "after", and the "before" that led to it.
  return reverseLoop(Cache.Count, Carried, outerFloats(While).takeVector(),
                     [&](Value K) {
                       loadSlots(Cache.After, After, K);
                       if (failed(reverseBlock(After)))
                         return failure();
                       loadSlots(Cache.Before, Before, K);
                       for (unsigned Idx = 0; Idx < Results; ++Idx)
                         if (Value A = Adjoint.lookup(After.getArgument(Idx)))
                           addAdjoint(Condition.getArgs()[Idx], A);
                       return reverseBlock(Before);
                     });
}

} // namespace fluxion
