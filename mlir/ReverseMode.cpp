//===- ReverseMode.cpp - Reverse-mode derivatives of MLIR functions -------===//
//
// The reverse sweep of a gradient function (see GradientBuilder.h) and the
// function itself. Adjoints of memory go to shadows: a load's adjoint is
// added to the shadow element it read, atomically where another iteration
// of a parallel loop or another GPU thread may add to the same element; a
// store's takes the shadow of what it overwrote and clears it.
//
//===----------------------------------------------------------------------===//

#include "FluxionDialect.h"
#include "FluxionPasses.h"
#include "GradientBuilder.h"
#include "MLIRRules.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;

namespace fluxion {

llvm::SetVector<Value> outerFloats(Operation *Op) {
  llvm::SetVector<Value> Outer;
  Op->walk([&](Operation *Inner) {
    if (Inner == Op)
      return;
    for (Value Operand : Inner->getOperands())
      if (isa<FloatType>(Operand.getType()) &&
          !Op->isAncestor(Operand.getParentRegion()->getParentOp()) &&
          !matchPattern(Operand, m_Constant()))
        Outer.insert(Operand);
  });
  return Outer;
}

namespace {

Value memoryOf(Operation *Access) {
  if (auto Load = dyn_cast<memref::LoadOp>(Access))
    return Load.getMemRef();
  if (auto Store = dyn_cast<memref::StoreOp>(Access))
    return Store.getMemRef();
  return {};
}

ValueRange indicesOf(Operation *Access) {
  if (auto Load = dyn_cast<memref::LoadOp>(Access))
    return Load.getIndices();
  return cast<memref::StoreOp>(Access).getIndices();
}

} // namespace

Value GradientBuilder::adjointOrZero(Value V) {
  Value A = Adjoint.lookup(V);
  return A ? A : zero(V.getType());
}

void GradientBuilder::addAdjoint(Value V, Value Delta) {
  Value &Sum = Adjoint[V];
  Sum = Sum ? arith::AddFOp::create(B, Loc, Sum, Delta).getResult() : Delta;
}

SmallVector<Value> GradientBuilder::primalIndices(ValueRange Indices) {
  SmallVector<Value> Result;
  for (Value Index : Indices)
    Result.push_back(primal(Index));
  return Result;
}

void GradientBuilder::addToMemory(Value Memory, ValueRange Indices, Value Delta,
                                  bool Atomic) {
  if (Atomic) {
    memref::AtomicRMWOp::create(B, Loc, arith::AtomicRMWKind::addf, Delta,
                                Memory, Indices);
    return;
  }
  Value Old = memref::LoadOp::create(B, Loc, Memory, Indices);
  memref::StoreOp::create(B, Loc, arith::AddFOp::create(B, Loc, Old, Delta),
                          Memory, Indices);
}

bool GradientBuilder::exclusive(Operation *Access) {
  auto Loop = Access->getParentOfType<scf::ParallelOp>();
  if (!Loop && !OnGPU)
    return true;
  Operation *Scope = Loop ? Loop.getOperation() : Target.getOperation();
  Value Memory = memoryOf(Access);
  ValueRange Indices = indicesOf(Access);
  // Every access of the memory uses the same indices, and they are either
  // the parallel loop's induction variables or an element this instance
  // stores to, which a race-free primal lets no other instance touch.
  bool Stored = false;
  WalkResult Walk = Scope->walk([&](Operation *Other) {
    if (memoryOf(Other) != Memory)
      return WalkResult::advance();
    if (indicesOf(Other) != Indices)
      return WalkResult::interrupt();
    Stored |= isa<memref::StoreOp>(Other);
    return WalkResult::advance();
  });
  if (Walk.wasInterrupted())
    return false;
  if (Stored)
    return true;
  return Loop && llvm::all_of(Loop.getInductionVars(), [&](Value IV) {
           return llvm::is_contained(Indices, IV);
         });
}

LogicalResult GradientBuilder::reverseCall(func::CallOp Call) {
  SmallVector<Value> Seeds;
  bool Seeded = false;
  for (Value Result : Call.getResults())
    if (isa<FloatType>(Result.getType())) {
      Seeded |= Adjoint.count(Result) != 0;
      Seeds.push_back(adjointOrZero(Result));
    }
  if (!Seeded)
    return success();
  auto Callee = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
      Call, Call.getCalleeAttr());
  SmallVector<StringRef> Activities;
  for (Value Operand : Call.getOperands())
    Activities.push_back(isa<FloatType>(Operand.getType()) ? "active"
                                                           : "const");
  FailureOr<func::FuncOp> Gradient =
      gradientFunction(Callee, Activities, ResultSeed::FromArguments);
  if (failed(Gradient))
    return failure();
  SmallVector<Value> Arguments = primalIndices(Call.getOperands());
  llvm::append_range(Arguments, Seeds);
  auto Adjoints = func::CallOp::create(B, Loc, *Gradient, Arguments);
  unsigned Next = 0;
  for (Value Operand : Call.getOperands())
    if (isa<FloatType>(Operand.getType()))
      addAdjoint(Operand, Adjoints.getResult(Next++));
  return success();
}

LogicalResult GradientBuilder::reverseLoad(memref::LoadOp Load) {
  Value Seed = Adjoint.lookup(Load.getResult());
  if (!Seed)
    return success();
  Value Memory = Shadow.lookup(Load.getMemRef());
  if (!Memory) {
    if (ConstantMemory.contains(Load.getMemRef()))
      return success();
    return Load.emitError("fluxion: reverse mode in MLIR tracks the adjoints "
                          "of \"dup\" memref arguments, local allocations "
                          "and workgroup memory only");
  }
  addToMemory(Memory, primalIndices(Load.getIndices()), Seed, !exclusive(Load));
  return success();
}

LogicalResult GradientBuilder::reverseStore(memref::StoreOp Store) {
  Value Memory = Shadow.lookup(Store.getMemRef());
  if (!Memory)
    return success();
  SmallVector<Value> Indices = primalIndices(Store.getIndices());
  Value Flowing = memref::LoadOp::create(B, Loc, Memory, Indices);
  memref::StoreOp::create(B, Loc, zero(Flowing.getType()), Memory, Indices);
  if (isa<FloatType>(Store.getValue().getType()))
    addAdjoint(Store.getValue(), Flowing);
  return success();
}

LogicalResult GradientBuilder::reverseCopy(memref::CopyOp Copy) {
  Value To = Shadow.lookup(Copy.getTarget());
  if (!To)
    return success();
  Value From = Shadow.lookup(Copy.getSource());
  forEachElement(To, [&](ValueRange Indices) {
    Value Flowing = memref::LoadOp::create(B, Loc, To, Indices);
    memref::StoreOp::create(B, Loc, zero(Flowing.getType()), To, Indices);
    if (From)
      addToMemory(From, Indices, Flowing, /*Atomic=*/false);
  });
  return success();
}

SmallVector<Value>
GradientBuilder::loadSlots(ArrayRef<std::pair<Value, Value>> Slots, Block &Body,
                           Value Index) {
  for (auto [Scalar, Memory] : Slots)
    Primal.map(Scalar,
               memref::LoadOp::create(B, Loc, Memory, ValueRange{Index}));
  SmallVector<Value> IterationShadows;
  for (Operation &Op : Body) {
    if (Op.hasTrait<OpTrait::ConstantLike>()) {
      Primal.map(Op.getResult(0), B.clone(Op)->getResult(0));
      continue;
    }
    if (IterationLocal.contains(&Op)) {
      // A zeroed shadow for the iteration, on the heap whatever the primal
      // used: the reverse loop frees it at the end of the iteration.
      Value Memory = Op.getResult(0);
      auto Type = cast<MemRefType>(Memory.getType());
      if (!isa<FloatType>(Type.getElementType()))
        continue;
      SmallVector<Value> Sizes;
      for (Value Size : Op.getOperands())
        Sizes.push_back(primal(Size));
      Value Fresh = memref::AllocOp::create(B, Loc, Type, Sizes);
      zeroFill(Fresh);
      Shadow[Memory] = Fresh;
      IterationShadows.push_back(Fresh);
      continue;
    }
    // A view taken in the body is taken again, of the primal and of its
    // shadow.
    auto View = dyn_cast<memref::SubViewOp>(Op);
    if (!View || Bookkeeping.contains(View))
      continue;
    auto Again = cast<memref::SubViewOp>(B.clone(*View, Primal));
    Primal.map(View.getResult(), Again.getResult());
    if (Value SourceShadow = Shadow.lookup(View.getSource())) {
      IRMapping ToShadow = Primal;
      ToShadow.map(View.getSource(), SourceShadow);
      Shadow[View] = B.clone(*View, ToShadow)->getResult(0);
    }
  }
  return IterationShadows;
}

LogicalResult GradientBuilder::reverseBlock(Block &Body) {
  for (Operation &Op : llvm::reverse(Body.without_terminator()))
    if (failed(reverse(Op)))
      return failure();
  return success();
}

LogicalResult
GradientBuilder::reverseLoop(Value Trip, const CarriedValues &V,
                             ArrayRef<Value> Outer,
                             function_ref<LogicalResult(Value)> Walk) {
  SmallVector<Value> Inits;
  for (Value Entering : V.Entering)
    Inits.push_back(adjointOrZero(Entering));
  for (Value Read : Outer)
    Inits.push_back(adjointOrZero(Read));
  auto Reverse = scf::ForOp::create(B, Loc, index(0), Trip, index(1), Inits);
  {
    OpBuilder::InsertionGuard Guard(B);
    Block &RevBody = *Reverse.getBody();
    if (!RevBody.empty())
      RevBody.getTerminator()->erase();
    B.setInsertionPointToEnd(&RevBody);
    // Iteration J of the primal, counted down.
    Value J = arith::SubIOp::create(
        B, Loc, arith::SubIOp::create(B, Loc, Trip, index(1)),
        Reverse.getInductionVar());
    IRMapping SavedPrimal = Primal;
    DenseMap<Value, Value> Saved = std::move(Adjoint);
    Adjoint.clear();
    for (auto [Pos, Leaving] : llvm::enumerate(V.Leaving))
      addAdjoint(Leaving, RevBody.getArgument(1 + Pos));
    for (auto [Pos, Read] : llvm::enumerate(Outer))
      addAdjoint(Read, RevBody.getArgument(1 + V.Leaving.size() + Pos));
    if (failed(Walk(J)))
      return failure();
    SmallVector<Value> Yielded;
    for (Value Arriving : V.Arriving)
      Yielded.push_back(adjointOrZero(Arriving));
    for (Value Read : Outer)
      Yielded.push_back(adjointOrZero(Read));
    scf::YieldOp::create(B, Loc, Yielded);
    Adjoint = std::move(Saved);
    Primal = std::move(SavedPrimal);
  }
  // The outer adjoints were carried from their values before the loop; an
  // initial value may be one of them too.
  for (auto [Pos, Read] : llvm::enumerate(Outer))
    Adjoint[Read] = Reverse.getResult(V.Leaving.size() + Pos);
  for (auto [Pos, Init] : llvm::enumerate(V.Inits))
    addAdjoint(Init, Reverse.getResult(Pos));
  return success();
}

LogicalResult GradientBuilder::reverseFor(scf::ForOp For) {
  LoopCache &Cache = *Caches.find(For)->second;
  Block &Body = *For.getBody();
  CarriedValues Carried;
  for (auto [Idx, Arg] : llvm::enumerate(For.getRegionIterArgs()))
    if (isa<FloatType>(Arg.getType())) {
      Carried.Entering.push_back(For.getResult(Idx));
      Carried.Leaving.push_back(Body.getTerminator()->getOperand(Idx));
      Carried.Arriving.push_back(Arg);
      Carried.Inits.push_back(For.getInitArgs()[Idx]);
    }
  Value Trip = primal(Cache.Trip);
  return reverseLoop(
      Trip, Carried, outerFloats(For).takeVector(), [&](Value J) {
        Value Index = J;
        if (Cache.Base)
          Index = arith::AddIOp::create(B, Loc, primal(Cache.Base), J);
        else if (Position)
          Index = arith::AddIOp::create(
              B, Loc, arith::MulIOp::create(B, Loc, Position, Trip), J);
        Value Lower = primal(Cache.Lower.front());
        Value Step = primal(Cache.Step.front());
        Value Iteration = J;
        if (Iteration.getType() != Lower.getType())
          Iteration = arith::IndexCastOp::create(B, Loc, Lower.getType(), J);
        Primal.map(
            For.getInductionVar(),
            arith::AddIOp::create(
                B, Loc, Lower, arith::MulIOp::create(B, Loc, Iteration, Step)));
        SmallVector<Value> Scratch = loadSlots(Cache.Slots, Body, Index);
        Value OuterIndex = std::exchange(Position, Index);
        LogicalResult Walked = reverseBlock(Body);
        Position = OuterIndex;
        for (Value Memory : Scratch)
          memref::DeallocOp::create(B, Loc, Memory);
        return Walked;
      });
}

LogicalResult GradientBuilder::reverseParallel(scf::ParallelOp Loop) {
  LoopCache &Cache = *Caches.find(Loop)->second;
  llvm::SetVector<Value> Outer = outerFloats(Loop);
  SmallVector<Value> Inits;
  for (Value V : Outer)
    Inits.push_back(zero(V.getType()));
  auto Reverse =
      scf::ParallelOp::create(B, Loc, primalIndices(Loop.getLowerBound()),
                              primalIndices(Loop.getUpperBound()),
                              primalIndices(Loop.getStep()), Inits);
  {
    OpBuilder::InsertionGuard Guard(B);
    Block &RevBody = *Reverse.getBody();
    if (!RevBody.empty())
      RevBody.getTerminator()->erase();
    B.setInsertionPointToEnd(&RevBody);
    IRMapping SavedPrimal = Primal;
    for (auto [From, To] :
         llvm::zip(Loop.getInductionVars(), Reverse.getInductionVars()))
      Primal.map(From, To);
    Value Index = linearIndex(Cache, Reverse.getInductionVars(), Position);
    SmallVector<Value> Scratch = loadSlots(Cache.Slots, *Loop.getBody(), Index);
    Value OuterIndex = std::exchange(Position, Index);
    DenseMap<Value, Value> Saved = std::move(Adjoint);
    Adjoint.clear();
    // Each iteration's part of a sum gets the sum's adjoint.
    Operation *Parts = Loop.getBody()->getTerminator();
    for (auto [Result, Part] :
         llvm::zip(Loop.getResults(), Parts->getOperands()))
      if (Value A = Saved.lookup(Result))
        addAdjoint(Part, A);
    if (failed(reverseBlock(*Loop.getBody())))
      return failure();
    for (Value Memory : Scratch)
      memref::DeallocOp::create(B, Loc, Memory);
    SmallVector<Value> Sums;
    for (Value V : Outer)
      Sums.push_back(adjointOrZero(V));
    auto Reduce = scf::ReduceOp::create(B, Loc, Sums);
    for (Region &Combine : Reduce.getReductions()) {
      Block &Pair = Combine.front();
      B.setInsertionPointToEnd(&Pair);
      scf::ReduceReturnOp::create(B, Loc,
                                  arith::AddFOp::create(B, Loc,
                                                        Pair.getArgument(0),
                                                        Pair.getArgument(1)));
    }
    Adjoint = std::move(Saved);
    Primal = std::move(SavedPrimal);
    Position = OuterIndex;
  }
  for (auto [Pos, V] : llvm::enumerate(Outer))
    addAdjoint(V, Reverse.getResult(Pos));
  for (auto [Result, Init] : llvm::zip(Loop.getResults(), Loop.getInitVals()))
    if (Value A = Adjoint.lookup(Result); A && isa<FloatType>(Init.getType()))
      addAdjoint(Init, A);
  return success();
}

LogicalResult GradientBuilder::reverseBranch(Operation *Branch) {
  llvm::SetVector<Value> Outer = outerFloats(Branch);
  SmallVector<Type> Types;
  for (Value V : Outer)
    Types.push_back(V.getType());
  Operation *Reverse =
      branchLike(B, Branch, primal(Branch->getOperand(0)), Types);
  for (auto [From, To] :
       llvm::zip(Branch->getRegions(), Reverse->getRegions())) {
    OpBuilder::InsertionGuard Guard(B);
    B.setInsertionPointToEnd(&To.front());
    DenseMap<Value, Value> Saved = Adjoint;
    IRMapping SavedPrimal = Primal;
    Block &Side = From.front();
    for (Operation &Op : Side) {
      if (Op.hasTrait<OpTrait::ConstantLike>()) {
        Primal.map(Op.getResult(0), B.clone(Op)->getResult(0));
        continue;
      }
      for (Value Result : Op.getResults())
        if (Value Carrier = Exposed.lookup(Result))
          Primal.map(Result, primal(Carrier));
    }
    for (auto [Idx, Result] : llvm::enumerate(Branch->getResults()))
      if (Value A = Saved.lookup(Result))
        addAdjoint(Side.getTerminator()->getOperand(Idx), A);
    if (failed(reverseBlock(Side)))
      return failure();
    SmallVector<Value> Yielded;
    for (Value V : Outer)
      Yielded.push_back(adjointOrZero(V));
    scf::YieldOp::create(B, Loc, Yielded);
    Adjoint = std::move(Saved);
    Primal = std::move(SavedPrimal);
  }
  for (auto [Pos, V] : llvm::enumerate(Outer))
    Adjoint[V] = Reverse->getResult(Pos);
  return success();
}

LogicalResult GradientBuilder::reverse(Operation &Op) {
  if (Bookkeeping.contains(&Op))
    return success();
  Loc = Op.getLoc();
  if (auto For = dyn_cast<scf::ForOp>(Op))
    return reverseFor(For);
  if (auto Loop = dyn_cast<scf::ParallelOp>(Op))
    return reverseParallel(Loop);
  if (isa<scf::IfOp, scf::IndexSwitchOp>(Op))
    return reverseBranch(&Op);
  if (auto While = dyn_cast<scf::WhileOp>(Op))
    return reverseWhile(While);
  if (auto Store = dyn_cast<memref::StoreOp>(Op))
    return reverseStore(Store);
  if (auto Load = dyn_cast<memref::LoadOp>(Op))
    return reverseLoad(Load);
  if (auto Copy = dyn_cast<memref::CopyOp>(Op))
    return reverseCopy(Copy);
  if (auto Call = dyn_cast<func::CallOp>(Op))
    return reverseCall(Call);
  if (isa<gpu::BarrierOp>(Op)) {
    gpu::BarrierOp::create(B, Loc);
    return success();
  }
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

LogicalResult GradientBuilder::build(func::FuncOp PrimalFn,
                                     ArrayRef<StringRef> Activities,
                                     ResultSeed Seed, func::FuncOp TargetFn) {
  Target = TargetFn;
  OnGPU = PrimalFn->getParentOfType<gpu::GPUModuleOp>() != nullptr;
  if (!PrimalFn.getBody().hasOneBlock())
    return PrimalFn.emitError("fluxion: reverse mode in MLIR needs a "
                              "function of one block");
  Block *Entry = Target.addEntryBlock();
  SmallVector<Value> Active;
  unsigned Next = 0;
  for (auto [From, Activity] : llvm::zip(PrimalFn.getArguments(), Activities)) {
    Value To = Entry->getArgument(Next++);
    Map.map(From, To);
    if (Activity == "dup" || Activity == "dupnoneed")
      Shadow[To] = Entry->getArgument(Next++);
    else if (isa<MemRefType>(To.getType()))
      ConstantMemory.insert(To);
    if (Activity == "active")
      Active.push_back(To);
  }
  B.setInsertionPointToEnd(Entry);
  Inlining.push_back(PrimalFn);
  FailureOr<SmallVector<Value>> Results =
      recompute(PrimalFn.getBody().front(), 0);
  if (failed(Results))
    return failure();
  SmallVector<Operation *> Forward;
  for (Operation &Op : *Entry)
    Forward.push_back(&Op);
  if (Seed == ResultSeed::One && !Results->empty()) {
    Value Result = Results->front();
    addAdjoint(Result, arith::ConstantOp::create(
                           B, Loc, FloatAttr::get(Result.getType(), 1.0)));
  }
  if (Seed == ResultSeed::FromArguments)
    for (Value Result : *Results)
      if (isa<FloatType>(Result.getType()))
        addAdjoint(Result, Entry->getArgument(Next++));
  for (Operation *Op : llvm::reverse(Forward))
    if (failed(reverse(*Op)))
      return failure();
  Loc = PrimalFn.getLoc();
  for (Value Memory : ToFree)
    memref::DeallocOp::create(B, Loc, Memory);
  SmallVector<Value> Adjoints;
  for (Value Arg : Active)
    Adjoints.push_back(adjointOrZero(Arg));
  func::ReturnOp::create(B, Loc, Adjoints);
  return success();
}

FailureOr<func::FuncOp> gradientFunction(func::FuncOp Primal,
                                         ArrayRef<StringRef> Activities,
                                         ResultSeed Seed) {
  SmallVector<StringRef> Parts = {"fluxion", "grad", Primal.getSymName()};
  SmallVector<Type> Inputs, Adjoints;
  for (auto [Input, Activity] :
       llvm::zip(Primal.getFunctionType().getInputs(), Activities)) {
    Parts.push_back(Activity);
    Inputs.push_back(Input);
    if (Activity == "dup" || Activity == "dupnoneed")
      Inputs.push_back(Input);
    if (Activity == "active")
      Adjoints.push_back(Input);
  }
  if (Seed == ResultSeed::None && Primal.getNumResults())
    Parts.push_back("unseeded");
  if (Seed == ResultSeed::FromArguments) {
    Parts.push_back("seeded");
    for (Type Result : Primal.getFunctionType().getResults())
      if (isa<FloatType>(Result))
        Inputs.push_back(Result);
  }
  std::string Name = derivativeName(Primal, Parts);
  Operation *Table = Primal->getParentOp();
  if (auto Existing = dyn_cast_or_null<func::FuncOp>(
          SymbolTable::lookupSymbolIn(Table, Name)))
    return Existing;
  // At the end of the primal's symbol table (a module or gpu.module).
  OpBuilder B(Primal);
  B.setInsertionPointToEnd(&Table->getRegion(0).front());
  auto Target = func::FuncOp::create(B, Primal.getLoc(), Name,
                                     B.getFunctionType(Inputs, Adjoints));
  Target.setPrivate();
  GradientBuilder Builder(B);
  if (failed(Builder.build(Primal, Activities, Seed, Target))) {
    Target.erase();
    return failure();
  }
  return Target;
}

} // namespace fluxion
