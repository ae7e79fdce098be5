//===- GradientBuilder.h - Reverse-mode synthesis in MLIR ---------*- C++
//-*-===//
//
// The gradient function of a fluxion.autodiff runs in two sweeps.
//
// The forward sweep (Recompute.cpp) computes the callee again, with calls
// inlined (a recursive call stays a call). Every loop (scf.for,
// scf.parallel) stores the scalars its body computes in memrefs allocated
// before the outermost loop around it and indexed by the iteration's
// position in the whole nest; an scf.while grows its own (WhileLoops.cpp);
// an scf.if or scf.index_switch yields the scalars its sides compute as
// extra results. Nothing the reverse sweep needs is read from memory again,
// so later stores cannot change it.
//
// The reverse sweep (ReverseMode.cpp) walks the recomputed operations
// backwards from the seed, adding each operand's adjoint (the result's
// adjoint times the partial from the shared rule table). A loop's reverse
// is a loop over the same iterations, counted down for scf.for, that loads
// the cached scalars of the iteration it reverses and carries the adjoints
// of iteration arguments and of outer values.
//
//===----------------------------------------------------------------------===//
#ifndef FLUXION_MLIR_GRADIENTBUILDER_H
#define FLUXION_MLIR_GRADIENTBUILDER_H

#include "FluxionPasses.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallPtrSet.h"

#include <memory>

namespace fluxion {

/// The floating values defined outside \p Op, constants aside, that
/// operations inside it read: their adjoints flow through its reverse.
llvm::SetVector<mlir::Value> outerFloats(mlir::Operation *Op);

class GradientBuilder {
public:
  explicit GradientBuilder(mlir::OpBuilder &B) : B(B) {}

  /// Fills \p Target, whose arguments are those of \p Primal with a shadow
  /// after each "dup" memref (then the seeds \p Seed asks for), with the
  /// gradient.
  mlir::LogicalResult build(mlir::func::FuncOp Primal,
                            llvm::ArrayRef<llvm::StringRef> Activities,
                            ResultSeed Seed, mlir::func::FuncOp Target);

private:
  /// What a recomputed loop keeps for its reverse.
  struct LoopCache {
    /// Per dimension: bounds and step (their own type), and trip count.
    llvm::SmallVector<mlir::Value> Lower, Step, Trips;
    /// Iterations per iteration of the enclosing loop, and in the whole
    /// nest (the size of each slot).
    mlir::Value Trip, Size;
    /// For a loop whose bounds vary with the loops around it: where the
    /// iterations of this run of it start in the slots (computed, like Trip,
    /// just before the loop).
    mlir::Value Base;
    /// Each scalar of the body and the memref holding it per iteration.
    llvm::SmallVector<std::pair<mlir::Value, mlir::Value>> Slots;
  };

  /// What a recomputed scf.while keeps for its reverse: its iteration
  /// count, and each scalar of its regions with the memref holding it per
  /// iteration (grown by doubling as the loop runs).
  struct WhileCache {
    unsigned Arguments = 0, Results = 0;
    mlir::Value Count;
    llvm::SmallVector<std::pair<mlir::Value, mlir::Value>> Before, After;
  };

  // The forward sweep (Recompute.cpp).
  mlir::FailureOr<llvm::SmallVector<mlir::Value>> recompute(mlir::Block &Src,
                                                            unsigned Depth);
  mlir::LogicalResult recomputeOp(mlir::Operation &Op, unsigned Depth);
  /// Inlines the callee of \p Call, or keeps a recursive call as a call.
  mlir::LogicalResult recomputeCall(mlir::func::CallOp Call, unsigned Depth);
  /// Recomputes \p Source, the body of a loop, into the body of \p New
  /// (whose induction variables are \p IVs), caching its scalars;
  /// \p Terminate ends the new body with the values the source's
  /// terminator gives.
  mlir::LogicalResult recomputeLoopBody(
      mlir::Operation *New, mlir::Block &Source, mlir::ValueRange Lower,
      mlir::ValueRange Upper, mlir::ValueRange Step, mlir::ValueRange IVs,
      unsigned Depth,
      llvm::function_ref<mlir::Operation *(llvm::ArrayRef<mlir::Value>)>
          Terminate);
  mlir::LogicalResult recomputeFor(mlir::scf::ForOp For, unsigned Depth);
  mlir::LogicalResult recomputeParallel(mlir::scf::ParallelOp Loop,
                                        unsigned Depth);
  /// scf.if and scf.index_switch: the scalars of each side leave as extra
  /// results.
  mlir::LogicalResult recomputeBranch(mlir::Operation *Branch, unsigned Depth);
  /// In WhileLoops.cpp, with its reverse.
  mlir::LogicalResult recomputeWhile(mlir::scf::WhileOp While, unsigned Depth);
  mlir::LogicalResult recomputeAllocation(mlir::Operation &Op);
  mlir::LogicalResult recomputeSubView(mlir::memref::SubViewOp View);
  mlir::LogicalResult recomputeGlobal(mlir::memref::GetGlobalOp Get);
  /// Starts the cache of \p Loop, a new loop with these bounds, computing
  /// its trip count before the outermost loop.
  mlir::FailureOr<LoopCache *> openCache(mlir::Operation *Loop,
                                         mlir::ValueRange Lower,
                                         mlir::ValueRange Upper,
                                         mlir::ValueRange Step);
  /// How many times \p Loop, whose bounds vary with the loops around it,
  /// iterates in all: counted by a nest of those loops' bounds only, built
  /// before the outermost loop; failure where the bounds need more than
  /// pure operations on induction variables and outer values.
  mlir::FailureOr<mlir::Value> countIterations(mlir::Operation *Loop,
                                               mlir::ValueRange Lower,
                                               mlir::ValueRange Upper,
                                               mlir::ValueRange Step);
  /// Fills the trip counts of \p Cache where the builder is.
  void computeTrips(LoopCache &Cache, mlir::ValueRange Lower,
                    mlir::ValueRange Upper, mlir::ValueRange Step);
  /// The iteration's position in the nest, from the induction variables of
  /// \p Cache's loop and the position of the enclosing iteration.
  mlir::Value linearIndex(LoopCache &Cache, mlir::ValueRange IVs,
                          mlir::Value Enclosing);
  /// Stores the scalars \p Body computed in \p Cache's slots at \p Index.
  void cacheBody(LoopCache &Cache, mlir::Block &Body, mlir::Value Index);
  /// Marks \p First and what was built after it in its block as
  /// bookkeeping.
  void keepSince(mlir::Operation *First);
  /// Stores zero in every element of \p Memory.
  void zeroFill(mlir::Value Memory);
  /// Calls \p Body with the indices of every element of \p Memory.
  void forEachElement(mlir::Value Memory,
                      llvm::function_ref<void(mlir::ValueRange)> Body);

  // The reverse sweep (ReverseMode.cpp).
  mlir::LogicalResult reverse(mlir::Operation &Op);
  mlir::LogicalResult reverseBlock(mlir::Block &Body);
  /// The floating values whose adjoints a reverse loop carries: the
  /// results of the primal loop whose adjoints enter it, the values an
  /// iteration yields for them, the iteration's arguments, and the initial
  /// values that get what leaves.
  struct CarriedValues {
    llvm::SmallVector<mlir::Value> Entering, Leaving, Arriving, Inits;
  };
  /// An scf.for over \p Trip iterations counted down, carrying the
  /// adjoints of \p Carried and of \p Outer; \p Walk reverses the primal
  /// iteration it is given.
  mlir::LogicalResult
  reverseLoop(mlir::Value Trip, const CarriedValues &Carried,
              llvm::ArrayRef<mlir::Value> Outer,
              llvm::function_ref<mlir::LogicalResult(mlir::Value)> Walk);
  mlir::LogicalResult reverseFor(mlir::scf::ForOp For);
  mlir::LogicalResult reverseParallel(mlir::scf::ParallelOp Loop);
  /// A branch on the same selector that walks the taken side backwards.
  mlir::LogicalResult reverseBranch(mlir::Operation *Branch);
  mlir::LogicalResult reverseWhile(mlir::scf::WhileOp While);
  /// Maps each scalar of \p Slots to its load at \p Index, each constant
  /// and view of \p Body to a copy, and gives each allocation of the body a
  /// zeroed shadow, which it returns for the caller to free.
  llvm::SmallVector<mlir::Value>
  loadSlots(llvm::ArrayRef<std::pair<mlir::Value, mlir::Value>> Slots,
            mlir::Block &Body, mlir::Value Index);
  /// A call kept as a call: the callee's gradient computes it again and
  /// gives the adjoints of its arguments for those of its results.
  mlir::LogicalResult reverseCall(mlir::func::CallOp Call);
  mlir::LogicalResult reverseLoad(mlir::memref::LoadOp Load);
  mlir::LogicalResult reverseStore(mlir::memref::StoreOp Store);
  mlir::LogicalResult reverseCopy(mlir::memref::CopyOp Copy);
  /// Whether no other iteration or thread touches the element \p Access
  /// reads, so its adjoint needs no atomic update.
  bool exclusive(mlir::Operation *Access);
  llvm::SmallVector<mlir::Value> primalIndices(mlir::ValueRange Indices);
  /// The primal value of \p V where the reverse code is being built.
  mlir::Value primal(mlir::Value V) { return Primal.lookupOrDefault(V); }
  void addAdjoint(mlir::Value V, mlir::Value Delta);
  /// The adjoint of \p V so far, or zero.
  mlir::Value adjointOrZero(mlir::Value V);
  /// Adds \p Delta to the element of \p Memory at \p Indices, atomically
  /// where \p Atomic.
  void addToMemory(mlir::Value Memory, mlir::ValueRange Indices,
                   mlir::Value Delta, bool Atomic);
  mlir::Value zero(mlir::Type T);
  mlir::Value index(int64_t C);

  mlir::OpBuilder &B;
  mlir::Location Loc = B.getUnknownLoc();
  /// Source values to their recomputed ones.
  mlir::IRMapping Map;
  /// Recomputed scalars to their values where the reverse is built.
  mlir::IRMapping Primal;
  llvm::DenseMap<mlir::Value, mlir::Value> Adjoint;
  /// The shadow of each recomputed memref whose adjoints are tracked.
  llvm::DenseMap<mlir::Value, mlir::Value> Shadow;
  /// Recomputed memrefs whose adjoints are dropped ("const" arguments).
  llvm::SmallPtrSet<mlir::Value, 4> ConstantMemory;
  /// The callees being inlined, innermost last: a call of one of them is
  /// recursive.
  llvm::SmallVector<mlir::Operation *> Inlining;
  /// Recomputed allocations in loop bodies, which live for an iteration.
  llvm::SmallPtrSet<mlir::Operation *, 4> IterationLocal;
  /// Scalars a recomputed scf.if computes inside a side, to the result that
  /// carries them out.
  llvm::DenseMap<mlir::Value, mlir::Value> Exposed;
  llvm::DenseMap<mlir::Operation *, std::unique_ptr<LoopCache>> Caches;
  llvm::DenseMap<mlir::Operation *, WhileCache> WhileCaches;
  /// What the forward sweep added for its own bookkeeping.
  llvm::SmallPtrSet<mlir::Operation *, 32> Bookkeeping;
  /// Memory to free at the end: caches, local allocations and shadows.
  llvm::SmallVector<mlir::Value> ToFree;
  /// The top-level recomputed operation being built, before which trip
  /// counts and caches go.
  mlir::Operation *Anchor = nullptr;
  /// The innermost loop being recomputed or reversed, and the position of
  /// its iteration in the nest.
  LoopCache *Enclosing = nullptr;
  mlir::Value Position;
  /// Whether the function runs on a GPU, one instance per thread.
  bool OnGPU = false;
  mlir::func::FuncOp Target;
};

} // namespace fluxion

#endif
