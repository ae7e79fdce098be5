//===- InstructionSupport.h - What the engine can differentiate -*- C++ -*-===//
//
// One place decides, for both modes, whether an instruction of the function
// being differentiated is supported, and reports a located error when it is
// not: an external function without a rule, a call through an unknown
// pointer, inline assembly, an active value escaping into memory Fluxion does
// not track, or an instruction kind it does not handle.
//
//===----------------------------------------------------------------------===//
#ifndef FLUXION_INSTRUCTIONSUPPORT_H
#define FLUXION_INSTRUCTIONSUPPORT_H

#include "DiffRequest.h"

namespace llvm {
class CallBase;
class Function;
class Instruction;
class Type;
class Value;
} // namespace llvm

namespace fluxion {

class ActivityAnalysis;

enum class CallKind {
  Inert,        ///< No derivative: debug info, assumptions, output, ...
  Custom,       ///< A function with a user-registered derivative.
  Elementwise,  ///< A row of the rule table.
  Defined,      ///< A function with a body: differentiated recursively.
  MemSet,       ///< llvm.memset.
  MemTransfer,  ///< llvm.memcpy / llvm.memmove.
  Allocation,   ///< malloc, calloc, realloc, operator new, ...
  Deallocation, ///< free, operator delete.
  Barrier,      ///< A GPU block barrier, an OpenMP barrier or critical
                ///< section's end: mirrored in the reverse sweep.
  Shuffle,      ///< A warp shuffle of a float or double (WarpShuffle.h).
  Reduction,    ///< A float vector reduction (VectorReductions.h).
  /// A call through a function pointer: reverse mode calls the derivative
  /// record its shadow points to (DerivativeRecords.h).
  Dynamic,
  Unsupported,
};

CallKind classifyCall(const llvm::CallBase &Call);

/// Checks that \p I can be differentiated in \p Mode; reports an error and
/// returns false otherwise.
bool checkSupported(const llvm::Instruction &I, const ActivityAnalysis &AA,
                    DiffMode Mode);

/// The activity a call site gives to the parameters of a defined callee.
DiffRequest calleeRequest(const llvm::CallBase &Call,
                          const ActivityAnalysis &AA, DiffMode Mode);

/// Whether a parameter of type \p Ty is followed by its shadow in the
/// signature of a custom rule: pointers are, and in forward mode floating
/// values too (their tangents).
bool hasCustomShadow(const llvm::Type *Ty, DiffMode Mode);

/// Whether \p V reads a GPU special register that keeps its value while a
/// thread runs (thread and block indices and sizes, the lane, the warp size,
/// the shared memory sizes): it may be read again anywhere in the function.
/// %warpid and %smid can change as a thread runs; clocks are not constant.
bool readsThreadConstant(const llvm::Value &V);

/// The user-facing name of a function under differentiation.
llvm::StringRef userName(const llvm::Function &F);

} // namespace fluxion

#endif
