//===- DerivativeRecords.h - Calls through function pointers ----*- C++ -*-===//
//
// A call through a function pointer whose target is known only at run time
// (a virtual method, a callback stored in a struct) is differentiated by
// dispatch: the shadow of the function pointer points to the derivative
// record of the function it calls, and the derivative calls the record's
// entries where a defined callee's derivatives would be called:
//
//   record = { augmented, reverse, forward }
//   augmented(params, each pointer followed by its shadow)
//       returns {void *tape, result}, or the tape for a void function;
//   reverse(the same parameters[, T dret], void *tape)
//       returns the adjoints of the floating parameters: nothing, one value,
//       or a struct of them in order; it frees the tape;
//   forward(params, each pointer and floating one followed by its shadow or
//           tangent)
//       returns {result, tangent of the result} for a floating result, the
//       result for another, nothing for void.
//
// The reverse entries follow the conventions of split mode and of custom
// reverse rules, so a record for reverse mode can be written by hand from
// __enzyme_augmentfwd / __enzyme_reverse (two entries suffice there).
// __enzyme_virtualreverse(f) returns the record Fluxion synthesizes for
// function f (pointers duplicated, floating parameters and result active);
// given the address point of a C++ virtual table it returns the same
// address point of a shadow table whose slots point to the records of the
// methods, so a shadow object's virtual pointer can be set to it.
//
//===----------------------------------------------------------------------===//
#ifndef FLUXION_DERIVATIVERECORDS_H
#define FLUXION_DERIVATIVERECORDS_H

#include "llvm/Support/Error.h"

namespace llvm {
class CallBase;
class Constant;
class FunctionType;
class IRBuilderBase;
class Value;
} // namespace llvm

namespace fluxion {

class Synthesizer;

enum class RecordEntry : unsigned { Augmented = 0, Reverse = 1, Forward = 2 };

/// The type of entry \p Entry of the record of a function of type \p Fn.
llvm::FunctionType *recordEntryType(llvm::FunctionType *Fn, RecordEntry Entry);

/// The record to call for a call of type \p Fn through function pointer
/// \p Callee whose shadow is \p Shadow: the shadow, or, where it is null or
/// stands in as the function itself (so holds no record), a record whose
/// entries stop the program with a message instead of calling garbage.
llvm::Value *checkedRecord(llvm::IRBuilderBase &B, llvm::Value *Shadow,
                           llvm::Value *Callee, llvm::FunctionType *Fn);

/// The record __enzyme_virtualreverse call \p Call asks for: of the function
/// its argument names, or the shadow of the virtual table it points into.
llvm::Expected<llvm::Constant *> lowerVirtualReverse(llvm::CallBase &Call,
                                                     Synthesizer &S);

} // namespace fluxion

#endif // FLUXION_DERIVATIVERECORDS_H
