//===- ForwardMode.cpp - Forward-mode derivatives of MLIR functions -------===//
//
// --fluxion-differentiate replaces each fluxion.fwddiff by a call of the
// tangent function of its callee: a copy of the callee that also takes the
// tangent of each "dup" argument and returns the tangents of its results
// after them. Elementwise arith and math operations take their partials from
// the shared rule table; scf.for and scf.if carry tangents alongside their
// floating iteration arguments and results; memrefs given as "dup" have
// shadow memrefs loaded and stored alongside; calls call the callee's
// tangent function. An operation with floating results and no rule is an
// error at its location.
//
//===----------------------------------------------------------------------===//

#include "FluxionDialect.h"
#include "FluxionPasses.h"
#include "MLIRRules.h"

#include "mlir/Conversion/ControlFlowToSCF/ControlFlowToSCF.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/UB/IR/UBOps.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Transforms/CFGToSCF.h"

#include <map>

using namespace mlir;

namespace fluxion {
namespace {

bool isFloatLike(Type T) {
  return isa<FloatType>(getElementTypeOrSelf(T)) && !isa<MemRefType>(T);
}

/// Which arguments of a function have tangents.
using Activity = SmallVector<bool, 4>;

class TangentFunctions;

/// Builds the body of one tangent function.
class ForwardBuilder {
public:
  ForwardBuilder(TangentFunctions &Tangents, OpBuilder &B)
      : Tangents(Tangents), B(B) {}

  LogicalResult build(func::FuncOp Primal, const Activity &Dup,
                      func::FuncOp Target);

private:
  LogicalResult visitBlock(Block &Source,
                           function_ref<LogicalResult(Operation &)> Terminator);
  LogicalResult visit(Operation &Op);
  LogicalResult visitFor(scf::ForOp For);
  /// scf.if and scf.index_switch: tangents yielded beside the results.
  LogicalResult visitBranch(Operation *Branch);
  LogicalResult visitWhile(scf::WhileOp While);
  LogicalResult visitParallel(scf::ParallelOp Parallel);
  LogicalResult visitCall(func::CallOp Call);
  LogicalResult visitElementwise(Operation &Op, const ElementwiseRule &Rule);

  /// The tangent of \p Primal (a source value), zero where it has none.
  Value tangentOrZero(Value Primal);
  /// The primal values and tangents of \p Values, as a terminator yields them.
  SmallVector<Value> withTangents(ValueRange Values);
  /// Maps \p From to the first values of \p To, and the floating ones to
  /// their tangents, which follow in order.
  void mapWithTangents(ValueRange From, ValueRange To);

  TangentFunctions &Tangents;
  OpBuilder &B;
  IRMapping Map;
  DenseMap<Value, Value> TangentOf;
};

/// The tangent functions of a module, one per callee and activity.
class TangentFunctions {
public:
  FailureOr<func::FuncOp> get(func::FuncOp Primal, const Activity &Dup) {
    auto Key = std::make_pair(Primal.getOperation(),
                              std::vector<bool>(Dup.begin(), Dup.end()));
    auto Found = Cache.find(Key);
    if (Found != Cache.end())
      return Found->second;
    for (Type Result : Primal.getFunctionType().getResults())
      if (!isFloatLike(Result))
        return Primal.emitError("fluxion: forward mode needs floating "
                                "results, not ")
               << Result;
    SmallVector<Type> Inputs, Results(Primal.getFunctionType().getResults());
    SmallVector<StringRef> Parts = {"fluxion", "fwd", Primal.getSymName()};
    for (auto [Input, HasTangent] :
         llvm::zip(Primal.getFunctionType().getInputs(), Dup)) {
      Inputs.push_back(Input);
      if (HasTangent)
        Inputs.push_back(Input);
      Parts.push_back(HasTangent ? "dup" : "const");
    }
    std::string Name = derivativeName(Primal, Parts);
    llvm::append_range(Results, Primal.getFunctionType().getResults());
    // At the end of the primal's symbol table (a module or gpu.module).
    OpBuilder B(Primal);
    B.setInsertionPointToEnd(&Primal->getParentOp()->getRegion(0).front());
    auto Target = func::FuncOp::create(B, Primal.getLoc(), Name,
                                       B.getFunctionType(Inputs, Results));
    Target.setPrivate();
    SymbolTable(Primal->getParentOp()).insert(Target);
    Cache[Key] = Target;
    ForwardBuilder Builder(*this, B);
    if (failed(Builder.build(Primal, Dup, Target))) {
      Cache.erase(Key);
      Target.erase();
      return failure();
    }
    return Target;
  }

private:
  std::map<std::pair<Operation *, std::vector<bool>>, func::FuncOp> Cache;
};

LogicalResult ForwardBuilder::build(func::FuncOp Primal, const Activity &Dup,
                                    func::FuncOp Target) {
  if (!Primal.getBody().hasOneBlock())
    return Primal.emitError("fluxion: forward mode needs a function of one "
                            "block (structured control flow)");
  Block *Entry = Target.addEntryBlock();
  unsigned Next = 0;
  for (auto [Arg, HasTangent] : llvm::zip(Primal.getArguments(), Dup)) {
    Map.map(Arg, Entry->getArgument(Next++));
    if (HasTangent)
      TangentOf[Arg] = Entry->getArgument(Next++);
  }
  B.setInsertionPointToEnd(Entry);
  return visitBlock(Primal.getBody().front(), [&](Operation &Return) {
    func::ReturnOp::create(B, Return.getLoc(),
                           withTangents(Return.getOperands()));
    return success();
  });
}

LogicalResult ForwardBuilder::visitBlock(
    Block &Source, function_ref<LogicalResult(Operation &)> Terminator) {
  for (Operation &Op : Source) {
    if (&Op == Source.getTerminator())
      return Terminator(Op);
    if (failed(visit(Op)))
      return failure();
  }
  return success();
}

Value ForwardBuilder::tangentOrZero(Value Primal) {
  if (Value Tangent = TangentOf.lookup(Primal))
    return Tangent;
  Type T = Primal.getType();
  TypedAttr Zero =
      isa<ShapedType>(T)
          ? TypedAttr(DenseElementsAttr::get(
                cast<ShapedType>(T),
                FloatAttr::get(getElementTypeOrSelf(T), 0.0).getValue()))
          : TypedAttr(FloatAttr::get(T, 0.0));
  return arith::ConstantOp::create(B, Primal.getLoc(), Zero);
}

void ForwardBuilder::mapWithTangents(ValueRange From, ValueRange To) {
  unsigned Next = From.size();
  for (auto [Idx, Result] : llvm::enumerate(From)) {
    Map.map(Result, To[Idx]);
    if (isFloatLike(Result.getType()))
      TangentOf[Result] = To[Next++];
  }
}

SmallVector<Value> ForwardBuilder::withTangents(ValueRange Values) {
  SmallVector<Value> Result;
  for (Value V : Values)
    Result.push_back(Map.lookupOrDefault(V));
  for (Value V : Values)
    if (isFloatLike(V.getType()))
      Result.push_back(tangentOrZero(V));
  return Result;
}

LogicalResult ForwardBuilder::visitElementwise(Operation &Op,
                                               const ElementwiseRule &Rule) {
  Operation *Copy = B.clone(Op, Map);
  auto Fetch = [&](int Idx) -> Value {
    return Idx < 0 ? Copy->getResult(0) : Copy->getOperand(Idx);
  };
  Value Sum;
  for (auto [Idx, Operand] : llvm::enumerate(Op.getOperands())) {
    Value Tangent = TangentOf.lookup(Operand);
    if (Idx >= Rule.Partials.size() || !Rule.Partials[Idx] || !Tangent)
      continue;
    Value Partial = evaluatePartial(B, Op, Fetch, Rule.Partials[Idx]);
    Value Term = arith::MulFOp::create(B, Op.getLoc(), Partial, Tangent);
    Sum = Sum ? arith::AddFOp::create(B, Op.getLoc(), Sum, Term) : Term;
  }
  if (Sum)
    TangentOf[Op.getResult(0)] = Sum;
  return success();
}

LogicalResult ForwardBuilder::visitFor(scf::ForOp For) {
  // Floating iteration arguments carry their tangents after the primal ones.
  SmallVector<Value> Inits = withTangents(For.getInitArgs());
  auto NewFor = scf::ForOp::create(B, For.getLoc(),
                                   Map.lookupOrDefault(For.getLowerBound()),
                                   Map.lookupOrDefault(For.getUpperBound()),
                                   Map.lookupOrDefault(For.getStep()), Inits);
  Block &Body = *NewFor.getBody();
  Map.map(For.getInductionVar(), NewFor.getInductionVar());
  unsigned NumPrimal = For.getInitArgs().size(), Next = NumPrimal;
  for (auto [Idx, Arg] : llvm::enumerate(For.getRegionIterArgs())) {
    Map.map(Arg, Body.getArgument(1 + Idx));
    if (isFloatLike(Arg.getType()))
      TangentOf[Arg] = Body.getArgument(1 + Next++);
  }
  OpBuilder::InsertionGuard Guard(B);
  // The builder of scf.for added an empty yield when there were no
  // iteration arguments; the source's yield takes its place.
  if (!Body.empty())
    Body.getTerminator()->erase();
  B.setInsertionPointToEnd(&Body);
  if (failed(visitBlock(*For.getBody(), [&](Operation &Yield) {
        scf::YieldOp::create(B, Yield.getLoc(),
                             withTangents(Yield.getOperands()));
        return success();
      })))
    return failure();
  mapWithTangents(For.getResults(), NewFor.getResults());
  return success();
}

LogicalResult ForwardBuilder::visitBranch(Operation *Branch) {
  SmallVector<Type> Types(Branch->getResultTypes());
  for (Type T : Branch->getResultTypes())
    if (isFloatLike(T))
      Types.push_back(T);
  Operation *New =
      branchLike(B, Branch, Map.lookupOrDefault(Branch->getOperand(0)), Types);
  for (auto [From, To] : llvm::zip(Branch->getRegions(), New->getRegions())) {
    OpBuilder::InsertionGuard Guard(B);
    B.setInsertionPointToEnd(&To.front());
    if (From.empty()) {
      scf::YieldOp::create(B, Branch->getLoc());
      continue;
    }
    if (failed(visitBlock(From.front(), [&](Operation &Yield) {
          scf::YieldOp::create(B, Yield.getLoc(),
                               withTangents(Yield.getOperands()));
          return success();
        })))
      return failure();
  }
  mapWithTangents(Branch->getResults(), New->getResults());
  return success();
}

LogicalResult ForwardBuilder::visitWhile(scf::WhileOp While) {
  // Both regions' floating arguments carry their tangents after the primal
  // ones, as do the condition's forwarded values and the results.
  auto WithTangentTypes = [](TypeRange Types) {
    SmallVector<Type> Result(Types);
    for (Type T : Types)
      if (isFloatLike(T))
        Result.push_back(T);
    return Result;
  };
  SmallVector<Value> Inits = withTangents(While.getInits());
  SmallVector<Type> ResultTypes = WithTangentTypes(While.getResultTypes());
  auto NewWhile = scf::WhileOp::create(B, While.getLoc(), ResultTypes, Inits);
  // Building the regions moves the builder; it comes back after the loop.
  OpBuilder::InsertionGuard Guard(B);
  auto MapArguments = [&](Block &From, Block &To) {
    unsigned Next = From.getNumArguments();
    for (auto [Idx, Arg] : llvm::enumerate(From.getArguments())) {
      Map.map(Arg, To.getArgument(Idx));
      if (isFloatLike(Arg.getType()))
        TangentOf[Arg] = To.getArgument(Next++);
    }
  };
  SmallVector<Location> BeforeLocs(Inits.size(), While.getLoc());
  SmallVector<Location> AfterLocs(ResultTypes.size(), While.getLoc());
  Block *Before =
      B.createBlock(&NewWhile.getBefore(), {}, TypeRange(Inits), BeforeLocs);
  Block *After =
      B.createBlock(&NewWhile.getAfter(), {}, ResultTypes, AfterLocs);
  MapArguments(While.getBefore().front(), *Before);
  MapArguments(While.getAfter().front(), *After);
  B.setInsertionPointToEnd(Before);
  if (failed(visitBlock(While.getBefore().front(), [&](Operation &Term) {
        auto Condition = cast<scf::ConditionOp>(Term);
        scf::ConditionOp::create(B, Term.getLoc(),
                                 Map.lookupOrDefault(Condition.getCondition()),
                                 withTangents(Condition.getArgs()));
        return success();
      })))
    return failure();
  B.setInsertionPointToEnd(After);
  if (failed(visitBlock(While.getAfter().front(), [&](Operation &Yield) {
        scf::YieldOp::create(B, Yield.getLoc(),
                             withTangents(Yield.getOperands()));
        return success();
      })))
    return failure();
  mapWithTangents(While.getResults(), NewWhile.getResults());
  return success();
}

/// A parallel loop without reductions: the same loop with the tangent code
/// in its body (each iteration writes its own elements, as the primal's).
LogicalResult ForwardBuilder::visitParallel(scf::ParallelOp Parallel) {
  auto Reduce = cast<scf::ReduceOp>(Parallel.getBody()->getTerminator());
  for (auto [Operand, Combine] :
       llvm::zip(Reduce.getOperands(), Reduce.getReductions()))
    if (isFloatLike(Operand.getType()) && !isSumReduction(Combine))
      return Parallel.emitError("fluxion: forward mode in MLIR supports "
                                "scf.parallel reductions that are sums");
  auto Mapped = [&](ValueRange Values) {
    SmallVector<Value> Result;
    for (Value V : Values)
      Result.push_back(Map.lookupOrDefault(V));
    return Result;
  };
  // A sum's tangent is the sum of the tangents: one more reduction each.
  auto NewParallel = scf::ParallelOp::create(
      B, Parallel.getLoc(), Mapped(Parallel.getLowerBound()),
      Mapped(Parallel.getUpperBound()), Mapped(Parallel.getStep()),
      withTangents(Parallel.getInitVals()));
  for (auto [From, To] :
       llvm::zip(Parallel.getInductionVars(), NewParallel.getInductionVars()))
    Map.map(From, To);
  {
    OpBuilder::InsertionGuard Guard(B);
    Block &Body = *NewParallel.getBody();
    if (!Body.empty() && Body.back().hasTrait<OpTrait::IsTerminator>())
      Body.back().erase();
    B.setInsertionPointToEnd(&Body);
    LogicalResult Visited = visitBlock(*Parallel.getBody(), [&](Operation &) {
      auto NewReduce = scf::ReduceOp::create(
          B, Reduce.getLoc(), withTangents(Reduce.getOperands()));
      unsigned Next = 0;
      auto CloneInto = [&](Region &Combine) {
        Region &To = NewReduce.getReductions()[Next++];
        To.getBlocks().clear();
        IRMapping Same;
        Combine.cloneInto(&To, Same);
      };
      for (Region &Combine : Reduce.getReductions())
        CloneInto(Combine);
      for (auto [Operand, Combine] :
           llvm::zip(Reduce.getOperands(), Reduce.getReductions()))
        if (isFloatLike(Operand.getType()))
          CloneInto(Combine);
      return success();
    });
    if (failed(Visited))
      return failure();
  }
  mapWithTangents(Parallel.getResults(), NewParallel.getResults());
  return success();
}

LogicalResult ForwardBuilder::visitCall(func::CallOp Call) {
  auto Callee = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
      Call, Call.getCalleeAttr());
  if (!Callee || Callee.isExternal())
    return Call.emitError("fluxion: no forward rule for external function '")
           << Call.getCallee() << "'";
  Activity Dup;
  SmallVector<Value> Args;
  for (Value Operand : Call.getOperands()) {
    Value Tangent = TangentOf.lookup(Operand);
    Dup.push_back(bool(Tangent));
    Args.push_back(Map.lookupOrDefault(Operand));
    if (Tangent)
      Args.push_back(Tangent);
  }
  FailureOr<func::FuncOp> Target = Tangents.get(Callee, Dup);
  if (failed(Target))
    return failure();
  auto NewCall = func::CallOp::create(B, Call.getLoc(), *Target, Args);
  unsigned NumResults = Call.getNumResults();
  for (auto [Idx, Result] : llvm::enumerate(Call.getResults())) {
    Map.map(Result, NewCall.getResult(Idx));
    TangentOf[Result] = NewCall.getResult(NumResults + Idx);
  }
  return success();
}

LogicalResult ForwardBuilder::visit(Operation &Op) {
  if (auto For = dyn_cast<scf::ForOp>(Op))
    return visitFor(For);
  if (auto While = dyn_cast<scf::WhileOp>(Op))
    return visitWhile(While);
  if (auto Parallel = dyn_cast<scf::ParallelOp>(Op))
    return visitParallel(Parallel);
  if (isa<scf::IfOp, scf::IndexSwitchOp>(Op))
    return visitBranch(&Op);
  if (auto Call = dyn_cast<func::CallOp>(Op))
    return visitCall(Call);
  if (const ElementwiseRule *Rule = findMLIRRule(Op))
    return visitElementwise(Op, *Rule);

  Operation *Copy = B.clone(Op, Map);
  Location Loc = Op.getLoc();
  // Constants and floats made from integers have no tangent.
  if (Op.hasTrait<OpTrait::ConstantLike>() ||
      isa<arith::SIToFPOp, arith::UIToFPOp>(Op))
    return success();
  if (auto Select = dyn_cast<arith::SelectOp>(Op)) {
    if (isFloatLike(Select.getType()) &&
        (TangentOf.count(Select.getTrueValue()) ||
         TangentOf.count(Select.getFalseValue())))
      TangentOf[Select] = arith::SelectOp::create(
          B, Loc, Map.lookupOrDefault(Select.getCondition()),
          tangentOrZero(Select.getTrueValue()),
          tangentOrZero(Select.getFalseValue()));
    return success();
  }
  if (isa<arith::ExtFOp, arith::TruncFOp>(Op)) {
    if (Value Tangent = TangentOf.lookup(Op.getOperand(0))) {
      OperationState State(Loc, Op.getName(), ValueRange{Tangent},
                           Op.getResultTypes(), Op.getAttrs());
      TangentOf[Op.getResult(0)] = B.create(State)->getResult(0);
    }
    return success();
  }
  if (auto Load = dyn_cast<memref::LoadOp>(Op)) {
    if (Value Shadow = TangentOf.lookup(Load.getMemRef())) {
      SmallVector<Value> Indices;
      for (Value Index : Load.getIndices())
        Indices.push_back(Map.lookupOrDefault(Index));
      TangentOf[Load] = memref::LoadOp::create(B, Loc, Shadow, Indices);
    }
    return success();
  }
  if (auto Store = dyn_cast<memref::StoreOp>(Op)) {
    if (Value Shadow = TangentOf.lookup(Store.getMemRef())) {
      SmallVector<Value> Indices;
      for (Value Index : Store.getIndices())
        Indices.push_back(Map.lookupOrDefault(Index));
      memref::StoreOp::create(B, Loc, tangentOrZero(Store.getValue()), Shadow,
                              Indices);
    }
    return success();
  }
  if (isa<memref::AllocOp, memref::AllocaOp>(Op) &&
      isFloatLike(
          cast<MemRefType>(Op.getResult(0).getType()).getElementType())) {
    // The shadow of local memory: the same allocation again (cloning maps
    // the result to it, so the primal mapping is put back).
    TangentOf[Op.getResult(0)] = B.clone(Op, Map)->getResult(0);
    Map.map(Op.getResult(0), Copy->getResult(0));
    return success();
  }
  if (auto Dealloc = dyn_cast<memref::DeallocOp>(Op)) {
    if (Value Shadow = TangentOf.lookup(Dealloc.getMemref()))
      memref::DeallocOp::create(B, Loc, Shadow);
    return success();
  }
  if (auto View = dyn_cast<memref::SubViewOp>(Op)) {
    if (Value Shadow = TangentOf.lookup(View.getSource())) {
      IRMapping ToShadow = Map;
      ToShadow.map(View.getSource(), Shadow);
      TangentOf[View] = B.clone(Op, ToShadow)->getResult(0);
      Map.map(View.getResult(), Copy->getResult(0));
    }
    return success();
  }
  if (auto Copying = dyn_cast<memref::CopyOp>(Op)) {
    Value From = TangentOf.lookup(Copying.getSource());
    Value To = TangentOf.lookup(Copying.getTarget());
    if (From && To)
      memref::CopyOp::create(B, Loc, From, To);
    else if (To)
      return Op.emitError("fluxion: forward mode in MLIR cannot copy memory "
                          "without tangents into memory with them");
    return success();
  }
  if (auto Get = dyn_cast<memref::GetGlobalOp>(Op)) {
    auto Global = SymbolTable::lookupNearestSymbolFrom<memref::GlobalOp>(
        Get, Get.getNameAttr());
    MemRefType Type = Get.getType();
    if (!Global || Global.getConstant() || !isFloatLike(Type.getElementType()))
      return success();
    if (!gpu::GPUDialect::isWorkgroupMemoryAddressSpace(Type.getMemorySpace()))
      return Op.emitError("fluxion: forward mode in MLIR tracks tangents in "
                          "constant globals and workgroup memory only");
    TangentOf[Get] = memref::GetGlobalOp::create(
        B, Loc, Type, shadowGlobal(Global).getSymName());
    return success();
  }
  if (Op.getNumRegions() ||
      llvm::any_of(
          Op.getResultTypes(),
          [](Type T) { return isFloatLike(T) || isa<MemRefType>(T); }) ||
      llvm::any_of(Op.getOperands(), [&](Value V) {
        return TangentOf.count(V) && !isa<arith::CmpFOp>(Op);
      })) {
    Copy->erase();
    return Op.emitError("fluxion: no forward rule for '")
           << Op.getName() << "'";
  }
  return success();
}

struct DifferentiatePass
    : PassWrapper<DifferentiatePass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(DifferentiatePass)

  DifferentiatePass() = default;
  DifferentiatePass(const DifferentiatePass &Other) : PassWrapper(Other) {}

  Option<bool> BridgeUnsupported{
      *this, "bridge-unsupported",
      llvm::cl::desc("Leave a request the native engine cannot "
                     "differentiate to --fluxion-lower-to-llvm and the LLVM "
                     "plugin, with a remark, instead of failing"),
      llvm::cl::init(false)};

  StringRef getArgument() const override { return "fluxion-differentiate"; }
  StringRef getDescription() const override {
    return "Replace fluxion.fwddiff and fluxion.autodiff by calls of "
           "synthesized derivative functions";
  }
  void getDependentDialects(DialectRegistry &Registry) const override {
    // ub: the poison values the lifting of cf to scf makes.
    Registry.insert<arith::ArithDialect, func::FuncDialect, gpu::GPUDialect,
                    math::MathDialect, memref::MemRefDialect, scf::SCFDialect,
                    ub::UBDialect>();
  }

  /// The func.func \p Request differentiates.
  template <typename DiffOp>
  static FailureOr<func::FuncOp> nativeCallee(DiffOp Request) {
    auto Callee = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
        Request, Request.getCallee());
    if (!Callee)
      return Request.emitError(
          "fluxion: --fluxion-differentiate needs a func.func callee; an "
          "llvm.func goes to --fluxion-lower-to-llvm");
    return Callee;
  }

  /// Replaces \p Request by a call of the derivative \p Synthesize makes of
  /// its callee, whose last results are the request's.
  template <typename DiffOp>
  LogicalResult
  replace(DiffOp Request,
          function_ref<FailureOr<func::FuncOp>(func::FuncOp)> Synthesize) {
    FailureOr<func::FuncOp> Callee = nativeCallee(Request);
    if (failed(Callee))
      return failure();
    FailureOr<func::FuncOp> Target = Synthesize(*Callee);
    if (failed(Target))
      return failure();
    OpBuilder B(Request);
    auto Call = func::CallOp::create(B, Request.getLoc(), *Target,
                                     Request->getOperands());
    Request->replaceAllUsesWith(
        Call.getResults().take_back(Request->getNumResults()));
    Request->erase();
    return success();
  }

  /// Replaces \p Request by a call of the tangent function per direction.
  LogicalResult replaceTangent(FwdDiffOp Request, TangentFunctions &Tangents) {
    FailureOr<func::FuncOp> Found = nativeCallee(Request);
    if (failed(Found))
      return failure();
    func::FuncOp Callee = *Found;
    SmallVector<StringRef, 4> Activities = Request.getActivities();
    Activity Dup;
    for (StringRef A : Activities)
      Dup.push_back(A.starts_with("dup"));
    FailureOr<func::FuncOp> Target = Tangents.get(Callee, Dup);
    if (failed(Target))
      return failure();
    OpBuilder B(Request);
    unsigned Width = Request.getWidth();
    bool WithPrimal = Request.getResultActivity("dupnoneed") == "dup";
    SmallVector<Value> Results;
    for (unsigned Direction = 0; Direction < Width; ++Direction) {
      SmallVector<Value> Operands;
      unsigned Next = 0;
      for (bool HasTangent : Dup) {
        Operands.push_back(Request->getOperand(Next++));
        if (!HasTangent)
          continue;
        Operands.push_back(Request->getOperand(Next + Direction));
        Next += Width;
      }
      auto Call = func::CallOp::create(B, Request.getLoc(), *Target, Operands);
      if (WithPrimal && Direction == 0)
        llvm::append_range(
            Results, Call.getResults().take_front(Callee.getNumResults()));
      llvm::append_range(Results,
                         Call.getResults().take_back(Callee.getNumResults()));
    }
    Request->replaceAllUsesWith(Results);
    Request->erase();
    return success();
  }

  void runOnOperation() override {
    ModuleOp Module = getOperation();
    TangentFunctions Tangents;
    DenseSet<Operation *> Lifted;
    for (Operation *Op : derivativeRequests(Module)) {
      auto Callee = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
          Op, Op->getAttrOfType<FlatSymbolRefAttr>("callee"));
      if (Callee && failed(liftControlFlow(Callee, Lifted)))
        return signalPassFailure();
      LogicalResult Replaced = differentiate(Op, [&]() -> LogicalResult {
        if (auto Gradient = dyn_cast<AutoDiffOp>(Op))
          return replace(Gradient, [&](func::FuncOp Callee) {
            return gradientFunction(Callee, Gradient.getActivities(),
                                    Gradient.getResultActivity("active") ==
                                            "active"
                                        ? ResultSeed::One
                                        : ResultSeed::None);
          });
        return replaceTangent(cast<FwdDiffOp>(Op), Tangents);
      });
      if (failed(Replaced))
        return signalPassFailure();
    }
  }

  /// Replaces \p Request natively where it can; with bridge-unsupported,
  /// what it cannot do is said in a remark and the request is left for the
  /// bridge.
  LogicalResult differentiate(Operation *Request,
                              function_ref<LogicalResult()> Replace) {
    if (!BridgeUnsupported)
      return Replace();
    std::string Reason;
    LogicalResult Replaced = success();
    {
      ScopedDiagnosticHandler Quiet(&getContext(), [&](Diagnostic &D) {
        if (D.getSeverity() == DiagnosticSeverity::Error && Reason.empty())
          Reason = D.str();
        return success();
      });
      Replaced = Replace();
    }
    if (succeeded(Replaced))
      return success();
    Request->emitRemark("fluxion: left to the LLVM plugin (") << Reason << ")";
    return success();
  }
};

} // namespace

LogicalResult liftControlFlow(func::FuncOp Function,
                              DenseSet<Operation *> &Seen) {
  if (!Seen.insert(Function).second || Function.isExternal())
    return success();
  if (!Function.getBody().hasOneBlock()) {
    ControlFlowToSCFTransformation Transformation;
    DominanceInfo Dominance(Function);
    if (failed(
            transformCFGToSCF(Function.getBody(), Transformation, Dominance)))
      return Function.emitError("fluxion: cannot lift the control flow of "
                                "this function to scf");
  }
  WalkResult Walk = Function.walk([&](func::CallOp Call) {
    auto Callee = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
        Call, Call.getCalleeAttr());
    if (Callee && failed(liftControlFlow(Callee, Seen)))
      return WalkResult::interrupt();
    return WalkResult::advance();
  });
  return failure(Walk.wasInterrupted());
}

Operation *branchLike(OpBuilder &B, Operation *Branch, Value Selector,
                      TypeRange Types) {
  OperationState State(Branch->getLoc(), Branch->getName());
  State.addOperands(Selector);
  State.addTypes(Types);
  State.propertiesAttr = Branch->getPropertiesAsAttribute();
  for (unsigned I = 0; I < Branch->getNumRegions(); ++I)
    State.addRegion();
  Operation *New = B.create(State);
  for (Region &R : New->getRegions())
    R.emplaceBlock();
  return New;
}

bool isSumReduction(Region &Combine) {
  Block &Pair = Combine.front();
  if (Pair.getOperations().size() != 2)
    return false;
  auto Add = dyn_cast<arith::AddFOp>(Pair.front());
  auto Return = dyn_cast<scf::ReduceReturnOp>(Pair.back());
  return Add && Return && Return.getResult() == Add.getResult() &&
         llvm::is_contained(Add->getOperands(), Pair.getArgument(0)) &&
         llvm::is_contained(Add->getOperands(), Pair.getArgument(1));
}

std::unique_ptr<Pass> createDifferentiatePass() {
  return std::make_unique<DifferentiatePass>();
}

void registerFluxionPasses() {
  PassRegistration<DifferentiatePass>();
  registerBridgePass();
}

} // namespace fluxion
