//===- BuiltinArguments.h - Markers and arguments of builtin calls -*- C++ -*-//
//
// After the function to differentiate, a builtin call passes each parameter
// of that function in order, optionally preceded by an activity marker
// (ad_dup, enzyme_out, ...), and, anywhere among them, call options: vector
// width, a tape arena, the tape of split mode and what the call returns
// (Enzyme's enzyme_tape, enzyme_allocated, enzyme_primal_return, ...). This
// file reads them into a ParsedBuiltin: the DiffRequest and the argument list
// of the derivative.
//
//===----------------------------------------------------------------------===//
#ifndef FLUXION_BUILTINARGUMENTS_H
#define FLUXION_BUILTINARGUMENTS_H

#include "BuiltinCall.h"
#include "DiffRequest.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Error.h"

#include <optional>

namespace llvm {
class Argument;
class CallBase;
class Module;
class IRBuilderBase;
class Type;
class Value;
} // namespace llvm

namespace fluxion {

/// The markers Fluxion understands; each has an ad_ and an enzyme_ spelling.
enum class Marker {
  Const,
  Dup,
  DupNoNeed,
  Out,
  Width,
  TapeArena,
  Tape,
  Allocated,
  NoFree,
  PrimalReturn,
  NoPrimalReturn,
  ConstReturn,
  ActiveReturn,
  DupReturn,
  NotOverwritten,
  Vector, ///< __enzyme_batch: one value per instance follows.
  Scalar, ///< __enzyme_batch: one value for all instances follows.
};

/// What an argument of a builtin call is when it names a marker global (a
/// load of it, as `int enzyme_dup;` is passed by value, or its address):
/// the marker, or an error for an enzyme_ name Fluxion does not implement.
/// None for an ordinary argument.
std::optional<llvm::Expected<Marker>> markerArgument(const llvm::Value &V);

/// Converts a value passed through `...` to parameter type \p To: C's
/// default argument promotions turn float into double and narrow integers
/// into int. Null where no such conversion applies.
llvm::Value *convertArgument(llvm::IRBuilderBase &B, llvm::Value *V,
                             llvm::Type *To);

/// Whether \p V is the global of a marker Fluxion understands.
bool isKnownMarkerGlobal(const llvm::Value &V);

/// A builtin call read into what its derivative needs.
struct ParsedBuiltin {
  DiffRequest Request;
  /// The derivative's arguments: each parameter's value, then its shadow
  /// (the N shadows of vector mode as one vector).
  llvm::SmallVector<llvm::Value *, 8> Args;
  /// ad_tape_arena: the thread's slice of a tape arena and its bytes.
  llvm::Value *ArenaSlice = nullptr;
  llvm::Value *ArenaBytes = nullptr;
  /// Reverse sweep: the adjoint of the result, when it is active.
  llvm::Value *ResultAdjoint = nullptr;
  /// Reverse sweep: the tape argument after the parameters; with
  /// enzyme_tape, the memory given for it.
  llvm::Value *Tape = nullptr;
  /// enzyme_tape: the tape lives in (or its pointer is stored to) memory the
  /// caller gives, instead of being returned and passed back.
  bool TapeInCallerMemory = false;
  /// enzyme_allocated: the bytes of that memory, which then holds the tape
  /// itself rather than a pointer to it.
  std::optional<uint64_t> AllocatedTapeBytes;
  /// The reverse sweep frees a heap tape (not with enzyme_nofree).
  bool FreeTape = true;
  /// enzyme_primal_return: the result of the function comes back too.
  bool PrimalReturn = false;
  /// enzyme_noret: an augmented sweep returns no primal result.
  bool NoPrimalReturn = false;
};

/// __enzyme_batch(f, enzyme_width, N, args...): the arguments of each of
/// the N calls of f it stands for. A parameter takes N values, one per
/// call (enzyme_vector, the default), or one value all calls share
/// (enzyme_scalar).
struct BatchArguments {
  unsigned Width = 0;
  llvm::SmallVector<llvm::SmallVector<llvm::Value *, 8>, 8> PerCall;
};
llvm::Expected<BatchArguments> parseBatchArguments(llvm::CallBase &Call,
                                                   llvm::StringRef Spelling,
                                                   llvm::Function &Fn,
                                                   llvm::IRBuilderBase &B);

/// C's ABI passes a small struct by value as several scalar parameters
/// (`double f(struct {double a, b;} s)` becomes `f(double, double)`), and a
/// builtin call passes the struct's scalars, then its shadow's. Before
/// optimization, while clang's IR still copies those scalars into one local
/// struct, this marks the parameters that belong together; the marks are
/// cleared once the builtins are lowered. Returns whether it changed \p M.
bool markSplitStructParameters(llvm::Module &M);
void clearSplitStructParameterMarks(llvm::Module &M);

/// The first parameter of the struct \p A is part of, if it is one.
std::optional<unsigned> splitStructParameter(const llvm::Argument &A);

/// Reads the arguments of builtin \p Call (\p Spelling names it in
/// messages) differentiating \p Fn, converting values to the parameter types
/// with \p B.
llvm::Expected<ParsedBuiltin> parseBuiltinArguments(llvm::CallBase &Call,
                                                    BuiltinKind Kind,
                                                    llvm::StringRef Spelling,
                                                    llvm::Function &Fn,
                                                    llvm::IRBuilderBase &B);

} // namespace fluxion

#endif
