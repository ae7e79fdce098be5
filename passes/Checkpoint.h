//===- Checkpoint.h - Recomputing marked calls in the reverse sweep -*- C++
//-*-//
//
// A function marked with FLUXION_CHECKPOINT is not taped where it is called
// in reverse mode. The augmented forward function calls the plain primal
// and stores a snapshot of the memory the call reads before writing it; the
// reverse sweep copies the snapshot into scratch memory, runs the callee's
// augmented forward function on the scratch copy (its tape lives only for
// that call) and then its reverse function. An ODE integrator whose step
// function is marked stores one state per step instead of every
// intermediate value of every step (JAX's `checkpoint`, Tapenade's
// checkpointed calls).
//
// The snapshot is planned on the simplified callee: every memory access must
// go through a pointer parameter at offsets scalar evolution can bound, and
// loads of bytes the call itself wrote first are left out of the snapshot.
//
//===----------------------------------------------------------------------===//
#ifndef FLUXION_CHECKPOINT_H
#define FLUXION_CHECKPOINT_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/IR/PassManager.h"

#include <optional>
#include <string>

namespace llvm {
class CallBase;
class Function;
class Module;
} // namespace llvm

namespace fluxion {

/// The bytes a checkpointed call reaches through one pointer parameter,
/// relative to the pointer.
struct ParameterWindow {
  unsigned ArgNo = 0;
  /// Every byte the call reads or writes.
  int64_t Lo = 0, Hi = 0;
  /// The bytes it may read before writing them: the snapshot.
  int64_t ReadLo = 0, ReadHi = 0;
  bool Written = false;

  uint64_t snapshotBytes() const { return uint64_t(ReadHi - ReadLo); }
};

struct CheckpointPlan {
  llvm::SmallVector<ParameterWindow, 4> Windows;
  /// Byte offsets of each window in the snapshot and in the scratch copy.
  llvm::SmallVector<uint64_t, 4> SnapshotOffsets, ScratchOffsets;
  uint64_t SnapshotBytes = 0;
  uint64_t ScratchBytes = 0;
};

/// Copies the body of each checkpointed function of \p M, with its small
/// callees inlined, before the optimizer runs, and keeps the copy out of the
/// optimizer: loops the optimizer threads and merges lose the induction
/// variables the snapshot is planned on. Derivatives of checkpointed calls
/// are built from the copy. Returns whether it changed \p M.
bool keepCheckpointBodies(llvm::Module &M);

/// The copy of checkpointed function \p F kept by keepCheckpointBodies, or
/// \p F itself.
llvm::Function &checkpointBody(llvm::Function &F);

/// Deletes the copies and lets the inliner at checkpointed functions again.
void releaseCheckpointBodies(llvm::Module &M);

/// Plans the snapshot of calls to \p Callee, the simplified copy of a
/// checkpointed function. Returns nullopt and sets \p WhyNot when its memory
/// accesses cannot be bounded.
std::optional<CheckpointPlan> planCheckpoint(llvm::Function &Callee,
                                             llvm::FunctionAnalysisManager &FAM,
                                             std::string &WhyNot);

/// Whether the scratch copies of \p Call's windows may stand for the
/// memory: false, with \p WhyNot set, when two windows might overlap and one
/// of them is written.
bool windowsAreDisjoint(const llvm::CallBase &Call, const CheckpointPlan &Plan,
                        std::string &WhyNot);

} // namespace fluxion

#endif
