//===- ReverseBuilder.h - The builder of reverse-mode derivatives -*- C++
//-*-===//
//
// Private to the reverse-mode engine: the state that ReverseSynthesis.cpp
// (the augmented forward function, the reverse control flow),
// ReverseTape.cpp (what is cached, recomputed or read again) and
// ReverseAdjoints.cpp (the adjoint of each instruction kind) share while
// they build one derivative. See ReverseSynthesis.cpp for the design.
//
//===----------------------------------------------------------------------===//
#ifndef FLUXION_REVERSEBUILDER_H
#define FLUXION_REVERSEBUILDER_H

#include "ActivityAnalysis.h"
#include "Checkpoint.h"
#include "CustomRules.h"
#include "DerivativeRules.h"
#include "Diagnostics.h"
#include "InstructionSupport.h"
#include "OpenMP.h"
#include "ShadowMemory.h"
#include "StandInShadows.h"
#include "Synthesizer.h"
#include "TypeAnalysis.h"
#include "WarpShuffle.h"

#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/PostOrderIterator.h"
#include "llvm/ADT/SCCIterator.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Analysis/AliasAnalysis.h"
#include "llvm/Analysis/CFG.h"
#include "llvm/Analysis/LoopInfo.h"
#include "llvm/Analysis/ScalarEvolution.h"
#include "llvm/Analysis/ScalarEvolutionExpressions.h"
#include "llvm/Analysis/ValueTracking.h"
#include "llvm/IR/CFG.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/InstVisitor.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Debug.h"
#include "llvm/Transforms/Utils/Cloning.h"

namespace fluxion {

/// Bytes of the tape written at one program point of the augmented function
/// and read back in the reverse function: a field of the tape, or, for
/// program points inside a loop, the top element of a stack.
struct TapeRegion {
  unsigned Field;
  bool IsStack;
  uint64_t Size;
  /// A region of the array block (Field is its header) at this offset.
  std::optional<uint64_t> ArrayOffset = std::nullopt;
};

class ReverseBuilder : public llvm::InstVisitor<ReverseBuilder, bool> {
public:
  ReverseBuilder(Synthesizer &S, const DiffRequest &Request,
                 llvm::Function &Primal, ReverseFunctions &Fns)
      : S(S), Request(Request), Primal(Primal), Aug(*Fns.Augmented),
        Rev(*Fns.Reverse), Fns(Fns),
        AA(Primal, Request,
           [&S](llvm::Function &F) -> llvm::Function & {
             return S.preprocessed().get(F);
           }),
        StandIns(Request, AA), DL(Primal.getDataLayout()),
        AB(Primal.getContext()), B(Primal.getContext()),
        Layout(Primal.getParent()->getTargetTriple().isNVPTX()),
        Dominators(Primal), Loops(Dominators),
        Aliases(
            S.preprocessed().analyses().getResult<llvm::AAManager>(Primal)) {}

  bool run();

  // Reverse-sweep code for one primal instruction, emitted at the end of the
  // reverse block being built.
  bool visitInstruction(llvm::Instruction &) { return true; }
  bool visitBinaryOperator(llvm::BinaryOperator &I) {
    return visitElementwise(I);
  }
  bool visitUnaryOperator(llvm::UnaryOperator &I) {
    return visitElementwise(I);
  }
  bool visitCastInst(llvm::CastInst &I);
  bool visitSelectInst(llvm::SelectInst &I);
  bool visitExtractValueInst(llvm::ExtractValueInst &I);
  bool visitInsertValueInst(llvm::InsertValueInst &I);
  bool visitExtractElementInst(llvm::ExtractElementInst &I);
  bool visitInsertElementInst(llvm::InsertElementInst &I);
  bool visitShuffleVectorInst(llvm::ShuffleVectorInst &I);
  bool visitFreezeInst(llvm::FreezeInst &I);
  bool visitLoadInst(llvm::LoadInst &I);
  bool visitStoreInst(llvm::StoreInst &I);
  bool visitAtomicRMWInst(llvm::AtomicRMWInst &I);
  bool visitAllocaInst(llvm::AllocaInst &I);
  bool visitCallBase(llvm::CallBase &I);

private:
  // Augmented forward function.
  bool buildAugmented();
  bool buildAugmentedShadow(llvm::Instruction &I);
  /// Inside the critical section \p Start enters, the augmented sweep takes
  /// its ticket (OpenMP.h).
  bool takeCriticalTicket(llvm::CallBase &Start);
  bool buildAugmentedParallelRegion(llvm::CallBase &Call,
                                    const ReverseFunctions &Callee,
                                    const DiffRequest &CR);
  bool buildAugmentedCall(llvm::CallBase &Call);
  void buildReallocShadow(llvm::CallBase &Call);
  bool buildAugmentedCustomCall(llvm::CallBase &Call);
  bool buildAugmentedDynamicCall(llvm::CallBase &Call);
  /// Takes the primal result and the tape out of what the augmented rule
  /// or record entry called for \p Call returned; false for a shape no
  /// convention allows.
  bool useAugmentedResult(llvm::CallBase &Call, llvm::CallInst &Result);
  /// The snapshot plan when \p Call of a checkpointed callee can be
  /// recomputed in the reverse sweep instead of taped, else null.
  const CheckpointPlan *checkpointFor(llvm::CallBase &Call,
                                      const ReverseFunctions &Callee);
  void buildSnapshot(llvm::CallBase &Call, const CheckpointPlan &Plan);
  /// The arguments of a custom reverse-mode rule for \p Call: each argument,
  /// pointers followed by their shadows (null where inactive).
  llvm::SmallVector<llvm::Value *, 8> customRuleArgs(llvm::CallBase &Call,
                                                     bool InReverse);
  llvm::Value *augShadow(llvm::Value *PrimalV);
  /// The augmented function's copy of primal value \p V.
  llvm::Value *augValue(llvm::Value *V) {
    llvm::Value *Copy = VMap.lookup(V);
    return Copy ? Copy : V;
  }
  /// Whether \p Shadow, the augmented function's shadow of primal pointer
  /// \p Ptr, is a stand-in; null where it cannot be one.
  llvm::Value *augStandIn(llvm::Value *Ptr, llvm::Value *Shadow);
  /// Positions AB right after the augmented copy of primal \p V.
  void augInsertAfter(llvm::Value *AugV);

  // The tape.
  TapeRegion makeRegion(llvm::BasicBlock *PrimalBlock, uint64_t Size,
                        llvm::Align A);
  /// A region for memory the code indexes at run time (the shadow of a
  /// local array, a snapshot). Outside cycles it is not a tape field but a
  /// slice of the array block, a buffer the tape points to: a tape holding
  /// arrays indexed at run time could not be split into registers (SROA)
  /// when it is a stack slot of the combined gradient.
  TapeRegion makeArrayRegion(llvm::BasicBlock *PrimalBlock, uint64_t Size,
                             llvm::Align A);
  llvm::Value *augRegionAddress(const TapeRegion &R);
  llvm::Value *revRegionAddress(const TapeRegion &R);
  /// The value of augmented-function value \p AugV, defined in primal block
  /// \p DefBlock, read back at the reverse builder's position.
  llvm::Value *reload(llvm::Value *AugV, llvm::BasicBlock *DefBlock);
  /// Where the augmented function keeps a value defined in \p DefBlock for
  /// the reverse block being built: \p DefBlock itself, or, when that
  /// reverse block is outside loops around \p DefBlock, the exit of the
  /// outermost of them, since only the value they leave is read.
  llvm::BasicBlock *cacheSite(llvm::BasicBlock *DefBlock) const;
  /// -Rpass=fluxion remarks: each cached value, and the bytes each loop
  /// tapes per iteration.
  void reportTape();
  /// Initializes the tape stacks at the augmented function's entry and
  /// gives them room for the pushes their loops' trip counts allow.
  void buildStackReservations();
  /// At most how many times \p Block runs in one call, computed at the
  /// augmented function's entry (AB's position) from the symbolic trip
  /// counts of its loops (0 past a cap); null when a count is unknown there.
  llvm::Value *maxRunsAtEntry(llvm::BasicBlock &Block);
  /// \p Expr, over the function's parameters only, computed at AB's
  /// position; null for any other expression.
  llvm::Value *expandAtEntry(const llvm::SCEV *Expr);
  /// The primal value \p V as seen by the reverse sweep.
  llvm::Value *primal(llvm::Value *V);
  /// The shadow of primal pointer \p V as seen by the reverse sweep.
  llvm::Value *shadow(llvm::Value *V);
  /// Address arithmetic, and loads of caller memory the function never
  /// writes, are evaluated again in the reverse sweep rather than cached.
  bool isRecomputable(llvm::Instruction &I);
  /// Loads of caller memory nothing overwrites after them are read again
  /// in the reverse sweep of a combined gradient.
  bool isRereadable(llvm::LoadInst &Load);
  bool overwrittenLater(llvm::LoadInst &Load);
  llvm::Value *recompute(llvm::Instruction &I, bool Shadow);
  /// Tells alias analysis that \p Access, a load of the primal's memory or
  /// an access to a shadow (never a stand-in: shadows are memory of their
  /// own), does not alias an access of the other kind: the reverse sweep's
  /// loops then vectorize without run-time overlap checks.
  void markMemory(llvm::Instruction &Access, bool Shadow);
  /// A load in a loop nest from a fixed-size stack object that an enclosing
  /// loop never writes reads the same contents in every iteration of that
  /// loop: the reverse sweep reads it from a snapshot of the object taken
  /// on entry to the loop rather than from a value taped per iteration (the
  /// inputs of a dense layer, read once per output). Null when it cannot.
  llvm::Value *loadFromSnapshot(llvm::LoadInst &Load);
  bool writesInLoop(llvm::Loop &L, llvm::AllocaInst &Object);
  /// \p Ptr, address arithmetic on \p Object, recomputed on \p Base.
  llvm::Value *rebase(llvm::Value *Ptr, llvm::AllocaInst &Object,
                      llvm::Value *Base);
  /// A stack slot of the reverse function holding loop counter \p Phi in
  /// each reverse iteration of its loop, so the counter is never taped; null
  /// when \p Phi is not a counter or the block being built is outside its
  /// loop.
  llvm::AllocaInst *reverseCounter(llvm::PHINode &Phi);
  /// The value of loop counter \p Phi in the last iteration of its loop,
  /// computed at the augmented function's entry when it follows from the
  /// parameters, else null.
  llvm::Value *lastCountAtEntry(llvm::PHINode &Phi);

  // Adjoints.
  bool isActive(llvm::Value *V) const { return AA.isActive(V); }
  /// Whether \p Shadow, the reverse sweep's shadow of primal pointer \p Ptr,
  /// is a stand-in; null where it cannot be one.
  llvm::Value *standIn(llvm::Value *Ptr, llvm::Value *Shadow);
  /// The shadow of primal pointer \p Ptr for the reverse sweep to update a
  /// \p Ty through: where it is a stand-in (\p StandIn, null where it
  /// cannot be), a scratch slot instead, as the primal's memory may be
  /// read-only. What is read from it then must be taken as zero.
  llvm::Value *updatableShadow(llvm::Value *Ptr, llvm::Type *Ty,
                               llvm::Value *&StandIn);
  llvm::AllocaInst *adjointSlot(llvm::Value *V);
  /// Adds \p Delta, the adjoint of a load through primal pointer \p Ptr, to
  /// its shadow \p Shadow later: adjoints of loads are summed in registers
  /// while the reverse sweep touches no memory, and added to the shadow once
  /// (flushShadowAdds), so a value read many times costs one
  /// read-modify-write of its shadow. \p OwnMemory: the shadow is never a
  /// stand-in.
  void deferShadowAdd(llvm::Value *Ptr, llvm::Value *Shadow, llvm::Value *Delta,
                      llvm::Align A, bool OwnMemory);
  /// Adds the pending sums to their shadows; before the reverse sweep
  /// touches memory and at the end of each reverse block.
  void flushShadowAdds();
  void addAdjoint(llvm::Value *V, llvm::Value *Delta);
  /// Reads the adjoint of \p V and resets it to zero.
  llvm::Value *takeAdjoint(llvm::Value *V);
  llvm::Value *addValues(llvm::Value *L, llvm::Value *R);

  bool visitElementwise(llvm::Instruction &I);
  bool visitDefinedCall(llvm::CallBase &Call);
  bool visitCustomCall(llvm::CallBase &Call);
  bool visitDynamicCall(llvm::CallBase &Call);
  /// The arguments of the reverse rule or record entry for \p Call: those
  /// of customRuleArgs, the adjoint of a floating result, then \p Tape.
  llvm::SmallVector<llvm::Value *, 8> reverseRuleArgs(llvm::CallBase &Call,
                                                      llvm::Value *Tape);
  /// Adds the adjoints a reverse rule returned to the floating arguments of
  /// \p Call; false when they do not match those arguments.
  bool addRuleAdjoints(llvm::CallBase &Call, llvm::CallInst &Adjoints);
  bool visitCheckpointedCall(llvm::CallBase &Call, const CheckpointPlan &Plan);
  bool visitShuffle(llvm::CallBase &Call);
  bool mirrorOpenMPSynchronization(llvm::CallBase &Call);
  /// Adds the adjoints a callee's reverse function returned to its Out
  /// arguments.
  void addArgumentAdjoints(llvm::CallBase &Call, const DiffRequest &CR,
                           llvm::Value *Adjoints);
  bool visitMemTransfer(llvm::MemTransferInst &Copy);
  llvm::SmallSetVector<llvm::BasicBlock *, 4>
  reachablePredecessors(llvm::BasicBlock *BB) const;
  /// The predecessor index of a loop header, derived from a loop counter
  /// instead of taped, or null.
  llvm::Value *
  cameFromByCounter(llvm::BasicBlock &Header,
                    const llvm::SmallSetVector<llvm::BasicBlock *, 4> &Preds);
  /// The predecessor index of a join derived from a branch condition that
  /// holds for the whole call (a loop's guard), or null.
  llvm::Value *
  cameFromByCondition(llvm::BasicBlock &Join,
                      const llvm::SmallSetVector<llvm::BasicBlock *, 4> &Preds);
  void buildBlockExits();
  void buildExit();

  Synthesizer &S;
  const DiffRequest &Request;
  llvm::Function &Primal;
  llvm::Function &Aug;
  llvm::Function &Rev;
  ReverseFunctions &Fns;
  ActivityAnalysis AA;
  StandInAnalysis StandIns;
  const llvm::DataLayout &DL;
  llvm::IRBuilder<> AB; ///< Builds the augmented function.
  llvm::IRBuilder<> B;  ///< Builds the reverse function.

  llvm::ValueToValueMapTy VMap; ///< Primal value to augmented copy.
  llvm::DenseMap<llvm::Value *, llvm::Value *> AugShadows;
  /// Shadows of fixed-size stack allocations, kept in the tape.
  llvm::DenseMap<llvm::Value *, TapeRegion> ShadowRegions;
  /// Allocations whose shadow the reverse sweep releases.
  llvm::SmallPtrSet<llvm::Value *, 8> HeapShadows;
  /// realloc calls: the bytes of the old shadow copied into the new one,
  /// whose adjoints the reverse sweep moves back (augmented values).
  llvm::DenseMap<llvm::CallBase *, llvm::Value *> ReallocKept;
  llvm::DenseMap<llvm::Value *, llvm::Value *> RevShadowArgs;
  llvm::Value *RevDReturn = nullptr;
  TapeLayout Layout;
  /// GPU code: the arena state pointer the augmented function's tape holds,
  /// loaded at its entry.
  llvm::LoadInst *AugArena = nullptr;
  /// Augmented values kept in the tape, by the primal block that keeps
  /// them (see cacheSite).
  llvm::DenseMap<std::pair<llvm::Value *, llvm::BasicBlock *>, TapeRegion>
      Cached;
  llvm::MapVector<llvm::PHINode *, llvm::AllocaInst *> ReverseCounters;
  /// The primal block whose reverse code is being built.
  llvm::BasicBlock *CurrentPrimalBlock = nullptr;
  llvm::DenseMap<llvm::BasicBlock *, llvm::SmallVector<unsigned, 4>>
      StacksToPop;
  /// Each stack, the primal block that pushes it and its element size.
  struct StackSite {
    unsigned Field;
    llvm::BasicBlock *Block;
    uint64_t ElemSize;
    /// Keeps the buffer between activations (host code).
    llvm::GlobalVariable *Kept;
  };
  llvm::SmallVector<StackSite, 8> Stacks;
  /// The header of the array block, a stack of bytes never pushed (its
  /// StackSite has no block), and the bytes its regions take.
  std::optional<unsigned> ArrayBlock;
  uint64_t ArrayBytes = 0;
  llvm::SmallPtrSet<llvm::BasicBlock *, 16> InCycle;
  /// The number of blocks of the largest cycle through each block.
  llvm::DenseMap<llvm::BasicBlock *, unsigned> CycleSize;
  llvm::DominatorTree Dominators;
  /// Natural loops of the primal, for loop counters.
  llvm::LoopInfo Loops;
  bool WritesCallerMemory = true;
  llvm::AAResults &Aliases;
  llvm::DenseMap<const llvm::LoadInst *, bool> Rereadable;
  /// Alias scopes of primal reads and shadow accesses (markMemory).
  llvm::MDNode *PrimalScope = nullptr;
  llvm::MDNode *ShadowScope = nullptr;
  /// Snapshots of stack objects, by the loop on whose entry they are taken.
  llvm::MapVector<std::pair<llvm::AllocaInst *, llvm::Loop *>, TapeRegion>
      Snapshots;
  llvm::DenseMap<std::pair<llvm::Loop *, llvm::AllocaInst *>, bool> LoopWrites;
  /// Primal values already evaluated in a reverse block.
  llvm::DenseMap<std::pair<llvm::Value *, llvm::BasicBlock *>, llvm::Value *>
      PrimalInBlock;
  /// Bounds chains of recomputation; past it values are cached.
  unsigned RecomputeDepth = 0;
  static constexpr unsigned MaxRecomputeDepth = 16;
  llvm::DenseMap<llvm::BasicBlock *, llvm::BasicBlock *> RevBlocks;
  llvm::DenseMap<llvm::BasicBlock *, llvm::PHINode *> CameFrom;
  llvm::DenseMap<llvm::CallBase *, TapeRegion> CalleeTapes;
  llvm::DenseMap<llvm::CallBase *, const ReverseFunctions *> Callees;
  /// The augmented sweep's ticket of each critical section start.
  llvm::DenseMap<llvm::CallBase *, llvm::Value *> CriticalTickets;
  llvm::DenseMap<llvm::CallBase *, DiffRequest> CalleeRequests;
  /// The tape a custom augmented rule returned, per call.
  llvm::DenseMap<llvm::CallBase *, llvm::Value *> CustomTapes;
  /// Calls recomputed in the reverse sweep; CalleeTapes holds their
  /// snapshots.
  llvm::DenseMap<llvm::CallBase *, const CheckpointPlan *> Checkpoints;
  llvm::MapVector<llvm::Value *, llvm::AllocaInst *> Adjoints;
  struct PendingShadowAdd {
    llvm::Value *Shadow;
    llvm::Align Alignment;
    /// The shadow is never a stand-in (markMemory).
    bool OwnMemory;
  };
  /// Sums of load adjoints not yet added to their shadows, by primal
  /// pointer and type, and the slots that hold them.
  llvm::MapVector<std::pair<llvm::Value *, llvm::Type *>, PendingShadowAdd>
      PendingShadowAdds;
  llvm::DenseMap<std::pair<llvm::Value *, llvm::Type *>, llvm::AllocaInst *>
      ShadowAddSlots;
  /// Per type, the slot updatableShadow writes to in place of a stand-in.
  llvm::DenseMap<llvm::Type *, llvm::AllocaInst *> StandInSinks;
  llvm::BasicBlock *RevEntry = nullptr;
  /// Per-thread sums of shared adjoints in parallel regions.
  AdjointWindows Windows{RevEntry};
  llvm::BasicBlock *RevExit = nullptr;
  llvm::BasicBlock *ReturnBlock = nullptr;
};

/// Memory the augmented function allocates itself; everything else belongs
/// to the caller.
bool isLocalObject(const llvm::Value *Object);

/// Whether \p F may write memory its caller owns. When it does not, values
/// loaded from such memory are read again in the reverse sweep instead of
/// being cached.
bool writesCallerMemory(llvm::Function &F);

/// The step of loop counter \p Phi = phi [Start, outside], [Phi + Step,
/// latch] of a loop with one exit block, entered only from the loop; Step is
/// a constant or a value from outside the loop.
llvm::Value *counterStep(llvm::PHINode &Phi, const llvm::LoopInfo &Loops);

} // namespace fluxion

#endif
