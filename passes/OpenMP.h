//===- OpenMP.h - Parallel regions of the OpenMP runtime ---------*- C++
//-*-===//
//
// clang outlines `#pragma omp parallel` into a microtask
// `void outlined(i32 *gtid, i32 *btid, captured...)` that
// `__kmpc_fork_call(loc, n, outlined, captured...)` runs on every thread of a
// team. For differentiation the fork is first made a plain call of the
// microtask, marked with a "fluxion.omp.fork" operand bundle holding `loc`,
// so that activity, type and memory analyses see an ordinary callee. Its
// derivatives are called the same way, and every marked call left in the
// module becomes a fork again at the end (restoreParallelRegions): the
// tangent region runs in parallel as the primal did, and so does the adjoint
// region, each thread reversing the iterations it ran from a tape of its
// own.
//
//===----------------------------------------------------------------------===//

#ifndef FLUXION_OPENMP_H
#define FLUXION_OPENMP_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/MapVector.h"

namespace llvm {
class AllocaInst;
class BasicBlock;
class CallBase;
class DominatorTree;
class Function;
class GlobalVariable;
class IRBuilderBase;
class Instruction;
class Module;
class Type;
class Value;
} // namespace llvm

namespace fluxion {

class TapeStackOps;

/// What a function of the OpenMP runtime is to a derivative.
enum class OpenMPRole {
  None,          ///< Not an OpenMP runtime function.
  Scheduling,    ///< Thread numbers and loop schedules: no derivative.
  Barrier,       ///< Mirrored in the reverse sweep.
  CriticalBegin, ///< Its mirror ends the critical section.
  CriticalEnd,   ///< Its mirror begins the critical section.
  Unsupported,   ///< A construct Fluxion cannot differentiate.
};

OpenMPRole openMPRole(const llvm::Function &F);

/// The construct an unsupported OpenMP runtime function implements, for an
/// error message ("omp task").
llvm::StringRef openMPConstruct(const llvm::Function &F);

/// Makes each `__kmpc_fork_call` in \p F a marked call of its microtask,
/// and each reduction a critical section (its combining branch, which the
/// runtime may otherwise replace by a tree of calls to a combiner that
/// knows nothing of shadows).
void serializeParallelRegions(llvm::Function &F);

/// Passes the floating values a marked call in \p F captures by copy
/// (`firstprivate`, as integer bits) through memory instead, to a copy of
/// the microtask that reads them there, so that their adjoints, which
/// every thread adds, reach the caller.
void captureFloatsByReference(llvm::Function &F);

/// The `loc` of a marked call that stands for a parallel region, or null.
llvm::Value *parallelRegionLocation(const llvm::CallBase &Call);

/// Turns every marked call in \p M back into a `__kmpc_fork_call`.
void restoreParallelRegions(llvm::Module &M);

/// Emits the augmented forward sweep of a parallel region: every thread runs
/// \p Augmented (tape, gtid, btid, \p Args...) on a tape of \p TapeBytes of
/// its own, listed at \p List, which the caller zeroed.
void emitAugmentedParallelRegion(llvm::IRBuilderBase &B, llvm::Value *Loc,
                                 llvm::Function &Augmented, uint64_t TapeBytes,
                                 TapeStackOps &Stacks, llvm::Value *List,
                                 llvm::ArrayRef<llvm::Value *> Args);

/// Emits the reverse sweep of the parallel region whose tapes are listed at
/// \p List: a team of as many threads, each running \p Reverse on the tape
/// its thread number filled; the tapes are freed after the team joins.
void emitReverseParallelRegion(llvm::IRBuilderBase &B, llvm::Value *Loc,
                               llvm::Function &Reverse, llvm::Value *List,
                               llvm::ArrayRef<llvm::Value *> Args);

/// The current thread's global number, for the runtime calls a reverse
/// sweep mirrors (the reverse team's threads may be others than the
/// primal's).
llvm::Value *currentGlobalThread(llvm::IRBuilderBase &B, llvm::Value *Loc);

/// Critical sections of a parallel region are left in the reverse sweep in
/// the reverse of the order they were entered, as a reduction by product
/// or maximum needs: the augmented sweep takes a ticket inside each section
/// it enters under \p Lock, and the reverse sweep waits for that ticket's
/// turn where it mirrors the section's end and passes the turn on where it
/// mirrors its start.
llvm::Value *takeCriticalTicket(llvm::IRBuilderBase &B,
                                llvm::GlobalVariable &Lock);
void awaitCriticalTurn(llvm::IRBuilderBase &B, llvm::GlobalVariable &Lock,
                       llvm::Value *Ticket);
void passCriticalTurn(llvm::IRBuilderBase &B, llvm::GlobalVariable &Lock,
                      llvm::Value *Ticket);

/// The `__kmpc_critical` that starts the section \p End ends: the nearest
/// one on the same lock that dominates it.
llvm::CallBase *criticalSectionStart(llvm::CallBase &End,
                                     const llvm::DominatorTree &DT);

/// The adjoints a thread of a parallel region adds to memory other threads
/// reach, summed per thread first: each underlying object and element type
/// gets a window (runtime/omp/AdjointWindows.c), a buffer over the
/// addresses the thread touched, which is added to memory atomically where
/// the reverse sweep next touches memory otherwise and at its end. Threads
/// that all read the same data then contend once per flush, not per read.
class AdjointWindows {
public:
  /// Windows live in \p Entry, the reverse function's entry block.
  explicit AdjointWindows(llvm::BasicBlock *&Entry) : Entry(Entry) {}

  /// Adds \p Delta to the adjoint at \p Address, which lies in \p Object;
  /// false when its type has no windows (then the caller adds atomically).
  bool add(llvm::IRBuilderBase &B, const llvm::Value *Object,
           llvm::Value *Address, llvm::Value *Delta);
  /// Adds what the windows hold to memory here: every window of the
  /// function, including those created later (finish() places the calls).
  void flush(llvm::IRBuilderBase &B);
  /// At the function's exit: places the flushes and frees the windows.
  void finish(llvm::IRBuilderBase &B);

private:
  void callEach(llvm::IRBuilderBase &B, llvm::StringRef Operation);

  llvm::BasicBlock *&Entry;
  llvm::SmallVector<llvm::Instruction *, 8> FlushPoints;
  llvm::MapVector<std::pair<const llvm::Value *, llvm::Type *>,
                  llvm::AllocaInst *>
      Windows;
};

/// Links the window functions the module's derivatives call
/// (AdjointWindows), as internal functions.
void linkAdjointWindows(llvm::Module &M);

} // namespace fluxion

#endif
