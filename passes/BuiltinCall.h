//===- BuiltinCall.h - Parsing and lowering of __ad_* builtin calls -*- C++ -*-===//
//
// A call of __ad_autodiff / __ad_fwddiff (or Enzyme's __enzyme_autodiff /
// __enzyme_fwddiff) names the function to differentiate and passes its
// arguments, each optionally preceded by an activity marker. This file turns
// such a call into a DiffRequest plus the argument list of the derivative, and
// replaces the call with a call of the synthesized derivative.
//
//===----------------------------------------------------------------------===//
#ifndef FLUXION_BUILTINCALL_H
#define FLUXION_BUILTINCALL_H

#include "DiffRequest.h"

#include "llvm/ADT/SmallPtrSet.h"

#include <optional>

namespace llvm {
class CallBase;
class Function;
class Value;
} // namespace llvm

namespace fluxion {

class Synthesizer;

/// The mode of a builtin, if \p F is one.
std::optional<DiffMode> builtinMode(const llvm::Function &F);

/// Whether \p V is a global used as an activity marker.
bool isMarkerGlobal(const llvm::Value &V);

/// Replaces \p Call with a call of its derivative. Reports an error at the
/// call and replaces it with zero when the call is malformed or the function
/// cannot be differentiated. Marker loads that became dead are erased.
void lowerBuiltinCall(llvm::CallBase &Call, DiffMode Mode, Synthesizer &S);

} // namespace fluxion

#endif
