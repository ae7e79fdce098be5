//===- BuiltinCall.h - Lowering of __ad_* and __enzyme_* builtin calls ---===//
//
// A call of __ad_autodiff / __ad_fwddiff (or Enzyme's __enzyme_autodiff /
// __enzyme_fwddiff), of the split-mode pair __ad_augmented / __ad_reverse
// (__enzyme_augmentfwd / __enzyme_reverse), or of a tape query names the
// function to differentiate and passes its arguments (BuiltinArguments.h).
// This file knows every builtin spelling and replaces each call with a call
// of the synthesized derivative; a builtin-like name Fluxion does not
// implement is an error at its call.
//
//===----------------------------------------------------------------------===//
#ifndef FLUXION_BUILTINCALL_H
#define FLUXION_BUILTINCALL_H

#include "DiffRequest.h"

#include "llvm/ADT/SmallPtrSet.h"

#include <optional>
#include <string>

namespace llvm {
class CallBase;
class Function;
class Module;
class Value;
} // namespace llvm

namespace fluxion {

class Synthesizer;

enum class BuiltinKind {
  Forward, ///< __ad_fwddiff: the tangent of the result.
  /// __enzyme_error_estimate: forward mode carrying bounds of
  /// floating-point error (DiffRequest::ErrorEstimate).
  ErrorEstimate,
  Gradient,  ///< __ad_autodiff: the adjoints, seeding the result with 1.
  Augmented, ///< __ad_augmented: the forward sweep; returns {tape, result}.
  Reverse,   ///< __ad_reverse: the reverse sweep of a tape; frees it.
  /// __ad_tape_bytes: the bytes of tape arena the gradient's stacks take for
  /// these arguments (GPU code; 0 elsewhere).
  TapeBytes,
  /// __ad_tape_reserved: whether the gradient reserves stacks at its entry:
  /// 0 when it does not (__ad_tape_bytes is 0), 2 when it reserves the
  /// same bytes for any arguments, 1 when they depend on the arguments.
  TapeReserved,
  /// __enzyme_augmentsize: the bytes of the tape __enzyme_augmentfwd makes.
  AugmentedSize,
  /// __enzyme_batch: N calls of the function, their results as an array.
  Batch,
  /// __enzyme_iter(N, Step): N in the program, N + Step more in each
  /// derivative taken of the code around it (a series one term longer per
  /// differentiation). Lowered after every derivative is synthesized.
  Iteration,
  /// __enzyme_virtualreverse: the derivative record of a function, or the
  /// shadow of a virtual table (DerivativeRecords.h).
  VirtualReverse,
  /// __enzyme_todense: a pointer whose loads and stores call functions
  /// (DenseViews.h).
  ToDense,
  /// __enzyme_float, __enzyme_double, ...: type hints; calls are removed.
  TypeHint,
  /// __enzyme_truncate_op_func, __enzyme_truncate_mem_func: a copy of the
  /// function computing in a narrower floating-point format (Truncation.h).
  TruncateFunction,
  /// __enzyme_truncate_mem_value: a value in the truncated form.
  TruncateValue,
  /// __enzyme_expand_mem_value: a truncated value in the wide form.
  ExpandValue,
  /// Any other __enzyme_* or __ad_* name: an error at each call.
  Unsupported,
};

/// The kind of builtin \p F is, if its name makes it one.
std::optional<BuiltinKind> builtinKind(const llvm::Function &F);

/// The name of builtin \p F in messages: its spelling without the suffix
/// that distinguishes prototypes, or its source name if unsupported.
std::string builtinSpelling(const llvm::Function &F);

/// Keeps the optimizer from merging builtin calls that differentiate
/// different functions into one call of a phi of functions (SimplifyCFG
/// sinks the two calls of an if/else otherwise). Returns whether it changed
/// \p M.
bool keepBuiltinCallsApart(llvm::Module &M);

/// The function a builtin call differentiates, if it can be resolved.
llvm::Function *differentiatedFunction(llvm::CallBase &Call);

/// Replaces \p Call with a call of its derivative. Reports an error at the
/// call and replaces it with zero when the call is malformed or the function
/// cannot be differentiated. Marker loads that became dead are erased.
void lowerBuiltinCall(llvm::CallBase &Call, BuiltinKind Kind, Synthesizer &S);

} // namespace fluxion

#endif
