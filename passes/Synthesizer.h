//===- Synthesizer.h - Builds and memoizes derivative functions -*- C++ -*-===//
//
// One Synthesizer serves a module. It synthesizes, on request and at most
// once per (function, mode, activity), the forward-mode derivative, the
// reverse-mode pair (augmented forward + reverse, joined by a tape) and the
// combined gradient. Requests made while the same request is being built
// (recursion) get the function under construction.
//
// Calling conventions, with each Dup/DupNoNeed parameter followed by its
// shadow:
//   forward:  fwd(args)            -> {ret, dret} | ret | void
//   augmented: aug(tape, args)     -> ret | void
//   reverse:  rev(tape, args[, dret]) -> {adjoint of each Out parameter},
//             void when there is none
//   gradient: grad(args[, dret])   -> {adjoint of each Out parameter}
//
//===----------------------------------------------------------------------===//
#ifndef FLUXION_SYNTHESIZER_H
#define FLUXION_SYNTHESIZER_H

#include "Checkpoint.h"
#include "DiffRequest.h"
#include "Preprocess.h"
#include "Tape.h"

#include "llvm/IR/IRBuilder.h"
#include "llvm/Transforms/Utils/ValueMapper.h"

#include <map>

namespace llvm {
class Module;
class Function;
class GlobalVariable;
} // namespace llvm

namespace fluxion {

struct ReverseFunctions {
  llvm::Function *Augmented = nullptr;
  llvm::Function *Reverse = nullptr;
  /// The tape size in bytes, set once both functions are complete.
  llvm::GlobalVariable *TapeSize = nullptr;
  uint64_t TapeBytes = 0;
  bool Complete = false;
  /// GPU code: the bytes the augmented function's stacks take from an
  /// arena, a constant or computed in its entry block from the arguments
  /// alone; null when it reserves none.
  llvm::Value *ArenaBytes = nullptr;
};

class Synthesizer {
public:
  Synthesizer(llvm::Module &M, PreprocessCache &Preprocessed);

  /// Null after reporting an error.
  llvm::Function *forward(const DiffRequest &Request);
  const ReverseFunctions *reverse(const DiffRequest &Request);
  /// The reverse pair a combined gradient of \p Request joins.
  const ReverseFunctions *combinedReverse(const DiffRequest &Request);
  /// The combined gradient: the reverse pair joined through a tape in its
  /// frame. \p WithArena (GPU code) takes first the slice of a tape arena
  /// and its size in bytes, from which the tape's stacks take their room.
  /// \p WithPrimal returns the function's result after the adjoints.
  llvm::Function *gradient(const DiffRequest &Request, bool WithArena = false,
                           bool WithPrimal = false);
  /// GPU code: i64 (tape, arguments of the augmented function) computing
  /// the bytes of arena the combined gradient's stacks take for those
  /// arguments; it ignores the tape.
  llvm::Function *tapeBytes(const DiffRequest &Request);

  /// The snapshot plan for calls of checkpointed function \p Callee, or
  /// null with \p WhyNot set when its calls must be taped instead.
  const CheckpointPlan *checkpointPlan(llvm::Function &Callee,
                                       std::string &WhyNot);

  /// Every function synthesized so far, failed ones (declarations) among
  /// them.
  llvm::ArrayRef<llvm::Function *> synthesized() const { return Created; }

  llvm::Module &module() { return M; }
  PreprocessCache &preprocessed() { return Preprocessed; }
  TapeStackOps &stacks() { return Stacks; }

  /// The parameter types of a derivative: each parameter of \p Request's
  /// function, followed by its shadow where it has one.
  llvm::SmallVector<llvm::Type *, 8>
  shadowedParamTypes(const DiffRequest &Request) const;
  /// The type returned by the reverse and gradient functions.
  llvm::Type *adjointsType(const DiffRequest &Request) const;

private:
  llvm::Function *createInternal(llvm::FunctionType *Ty,
                                 const llvm::Twine &Name);

  llvm::Module &M;
  PreprocessCache &Preprocessed;
  llvm::SmallVector<llvm::Function *, 8> Created;
  TapeStackOps Stacks;
  std::map<DiffRequest, llvm::Function *> Forward;
  std::map<DiffRequest, ReverseFunctions> Reverse;
  std::map<std::tuple<DiffRequest, bool, bool>, llvm::Function *> Gradients;
  std::map<DiffRequest, llvm::Function *> TapeBytesFunctions;
  std::map<DiffRequest, bool> Failed;
  std::map<llvm::Function *,
           std::pair<std::optional<CheckpointPlan>, std::string>>
      CheckpointPlans;
};

/// The type of a tangent or shadow of a \p Ty value when \p Width of them
/// travel together: \p Ty itself for one, else a vector of \p Width scalars
/// (the lanes stay together for the vectorizer) or an array of \p Width
/// packets or aggregates. Null for types that hold no value.
llvm::Type *tangentType(llvm::Type *Ty, unsigned Width);
/// Lane \p Lane of \p Lanes, a tangent of vector mode.
llvm::Value *extractLane(llvm::IRBuilderBase &B, llvm::Value *Lanes,
                         unsigned Lane);
/// \p Lanes, a tangent of vector mode, with lane \p Lane set to \p V.
llvm::Value *insertLane(llvm::IRBuilderBase &B, llvm::Value *Lanes,
                        llvm::Value *V, unsigned Lane);

/// Copies the body of \p Primal into \p Target, whose parameters from
/// \p FirstParam on are Primal's with each shadowed one followed by its
/// shadow. Fills \p VMap (primal to copy) and \p Shadows (primal parameter
/// to shadow parameter, named with \p ShadowSuffix). The copy is internal
/// and may access memory whatever the primal promised.
void clonePrimalInto(llvm::Function &Primal, const DiffRequest &Request,
                     llvm::Function &Target, unsigned FirstParam,
                     llvm::StringRef ShadowSuffix,
                     llvm::ValueToValueMapTy &VMap,
                     llvm::DenseMap<llvm::Value *, llvm::Value *> &Shadows);

/// Entry points of the two synthesis engines, used by the Synthesizer.
bool synthesizeForward(Synthesizer &S, const DiffRequest &Request,
                       llvm::Function &Primal, llvm::Function &Derivative);
bool synthesizeReverse(Synthesizer &S, const DiffRequest &Request,
                       llvm::Function &Primal, ReverseFunctions &Out);

} // namespace fluxion

#endif
