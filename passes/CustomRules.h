//===- CustomRules.h - User-registered derivatives --------------*- C++ -*-===//
//
// A user can give any function, defined or external, its own derivative:
//
//   forward rule:   T rule(params, each duplicated one followed by its
//                   tangent) returning the tangent of the result;
//   reverse rule:   augmented(params, each pointer followed by its shadow)
//                   returning {void *tape, T} (just the tape for void
//                   functions), and reverse(the same parameters[, T dret],
//                   void *tape) returning the adjoints of the floating
//                   parameters, one value or a struct of them in order;
//   inactive:       the function carries no derivative at all;
//   checkpointed:   reverse mode recomputes each call instead of taping it
//                   (Checkpoint.h).
//
// They are registered with Enzyme's globals (__enzyme_register_derivative_f,
// __enzyme_register_gradient_f, __enzyme_inactivefn) or the FLUXION_* macros
// of fluxion/ad.h that expand to them. Registration is recorded as function
// attributes so every part of the engine sees it without shared state.
//
//===----------------------------------------------------------------------===//
#ifndef FLUXION_CUSTOMRULES_H
#define FLUXION_CUSTOMRULES_H

namespace llvm {
class Function;
class Module;
} // namespace llvm

namespace fluxion {

struct CustomRule {
  llvm::Function *Forward = nullptr;
  llvm::Function *Augmented = nullptr;
  llvm::Function *Reverse = nullptr;
};

/// Reads the registration globals of \p M, attaching the rules to the
/// functions they are registered for and keeping those functions out of the
/// inliner, so their calls stay visible. With \p RemoveRegistrations the
/// globals are deleted; until then they keep the rule functions alive.
/// Malformed registrations are reported as errors. Returns whether it
/// changed the module.
bool collectCustomRules(llvm::Module &M, bool RemoveRegistrations);

/// The rules registered for \p F (members null where none).
CustomRule customRule(const llvm::Function &F);

/// Whether \p F was registered or marked as inactive.
bool isMarkedInactive(const llvm::Function &F);

/// Whether \p F was marked with FLUXION_CHECKPOINT.
bool isCheckpointed(const llvm::Function &F);

/// Removes the checkpoint mark from \p F, a copy of a checkpointed function.
void clearCheckpointMark(llvm::Function &F);

/// Lets the inliner at checkpointed function \p F again once its calls have
/// been differentiated.
void restoreCheckpointInlining(llvm::Function &F);

} // namespace fluxion

#endif
