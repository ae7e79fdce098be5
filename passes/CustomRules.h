//===- CustomRules.h - User-registered derivatives --------------*- C++ -*-===//
//
// A user can give any function, defined or external, its own derivative:
//
//   forward rule:   T rule(params, each duplicated one followed by its
//                   tangent) returning the tangent of the result;
//   reverse rule:   augmented(params, each pointer followed by its shadow)
//                   returning {void *tape, T}, the tape alone, the result
//                   alone or nothing (without the result the function
//                   itself computes it), and reverse(the same parameters[,
//                   T dret][, void *tape when there is one]) returning the
//                   adjoints of the floating parameters, one value or a
//                   struct of them in order;
//   inactive:       the function carries no derivative at all; a global
//                   variable marked inactive holds no derivative, so active
//                   values may be stored to it;
//   function-like:  every call takes the derivative rule of a named libm
//                   function (log1p, ...) instead of differentiating the body;
//   allocator:      calls allocate memory as malloc does: the shadow comes
//                   from the same allocator and goes back through the
//                   registered deallocator;
//   checkpointed:   reverse mode recomputes each call instead of taping it
//                   (Checkpoint.h).
//
// They are registered with Enzyme's globals (__enzyme_register_derivative_f,
// __enzyme_register_gradient_f, __enzyme_inactivefn, __enzyme_inactive_global,
// __enzyme_function_like, __enzyme_allocation_like), the FLUXION_* macros of
// fluxion/ad.h that expand to them, or the source attributes enzyme_inactive,
// enzyme_function_like and their fluxion_ spellings, which the clang plugin
// (plugin/ClangAttributes.cpp) lowers to llvm.global.annotations entries.
// Registration is recorded as attributes of the functions and globals so
// every part of the engine sees it without shared state.
//
//===----------------------------------------------------------------------===//
#ifndef FLUXION_CUSTOMRULES_H
#define FLUXION_CUSTOMRULES_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <optional>

namespace llvm {
class Function;
class GlobalVariable;
class Module;
} // namespace llvm

namespace fluxion {

struct CustomRule {
  llvm::Function *Forward = nullptr;
  llvm::Function *Augmented = nullptr;
  llvm::Function *Reverse = nullptr;
};

/// A function registered with __enzyme_allocation_like.
struct CustomAllocator {
  /// The parameter that holds the size in bytes.
  unsigned SizeArg = 0;
  /// Releases what the allocator returned.
  llvm::Function *Deallocator = nullptr;
  /// Where each argument of the deallocator comes from: an argument index of
  /// the allocation call, or -1 for the allocated pointer.
  llvm::SmallVector<int, 2> DeallocatorArgs;
};

/// The annotation prefixes the clang plugin attaches to marked declarations.
inline constexpr llvm::StringLiteral InactiveAnnotation = "fluxion.inactive";
inline constexpr llvm::StringLiteral FunctionLikeAnnotation =
    "fluxion.function_like:";

/// Reads the registration globals and annotations of \p M, attaching the rules
/// to the functions they are registered for and keeping those functions out of
/// the inliner, so their calls stay visible. With \p RemoveRegistrations the
/// globals are deleted; until then they keep the rule functions alive.
/// Malformed registrations are reported as errors. Returns whether it
/// changed the module.
bool collectCustomRules(llvm::Module &M, bool RemoveRegistrations);

/// The rules registered for \p F (members null where none).
CustomRule customRule(const llvm::Function &F);

/// Whether \p F was registered or marked as inactive.
bool isMarkedInactive(const llvm::Function &F);

/// Whether global variable \p GV was registered or marked as inactive.
bool isMarkedInactive(const llvm::GlobalVariable &GV);

/// The libm function whose derivative rule calls of \p F take, or "" when
/// \p F is not registered as function-like.
llvm::StringRef functionLikeName(const llvm::Function &F);

/// How \p F allocates, when it is registered as an allocator.
std::optional<CustomAllocator> customAllocator(const llvm::Function &F);

/// Whether \p F was marked with FLUXION_CHECKPOINT.
bool isCheckpointed(const llvm::Function &F);

/// Removes the checkpoint mark from \p F, a copy of a checkpointed function.
void clearCheckpointMark(llvm::Function &F);

/// Lets the inliner at checkpointed function \p F again once its calls have
/// been differentiated.
void restoreCheckpointInlining(llvm::Function &F);

} // namespace fluxion

#endif
