//===- StandInShadows.h - Shadows of memory that has none -------*- C++ -*-===//
//
// Memory without a shadow (a constant argument's array, a global) still
// needs a shadow pointer where its address meets shadowed memory: stored
// into a shadowed object, chosen by a phi or select beside an address that
// has one, or read back from such an object by a callee. Its shadow is
// then a stand-in: the primal pointer itself. Loading a pointer through a
// stand-in gives the stand-in of the loaded pointer, so stand-ins stay
// consistent through memory; a derivative that may meet one compares the
// shadow with the primal pointer before it reads a tangent or adjoint
// through it (the tangent is zero) or writes, copies or frees through it
// (it does nothing). Shadows known to be real need no comparison.
//
//===----------------------------------------------------------------------===//
#ifndef FLUXION_STANDINSHADOWS_H
#define FLUXION_STANDINSHADOWS_H

#include "DiffRequest.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/IR/IRBuilder.h"

namespace llvm {
class CallBase;
class Value;
} // namespace llvm

namespace fluxion {

class ActivityAnalysis;

class StandInAnalysis {
public:
  StandInAnalysis(const DiffRequest &Request, const ActivityAnalysis &AA)
      : Request(Request), AA(AA) {}

  /// Whether the shadow of primal pointer \p Ptr may be a stand-in.
  bool mayBeStandIn(const llvm::Value *Ptr);
  /// DiffRequest::StandInArgs for the callee of \p Call: the arguments
  /// whose shadows may be stand-ins here.
  uint64_t standInArguments(const llvm::CallBase &Call);

private:
  const DiffRequest &Request;
  const ActivityAnalysis &AA;
  llvm::DenseMap<const llvm::Value *, bool> Known;
};

/// Whether \p Shadow (of \p Primal, a pointer or vector of them) is a
/// stand-in; \p Shadow is one lane of a vector-mode shadow.
llvm::Value *isStandIn(llvm::IRBuilderBase &B, llvm::Value *Shadow,
                       llvm::Value *Primal);
/// \p Shadow, a shadow pointer read from shadowed memory, or the primal
/// pointer read beside it where the shadow is null: the bytes were written
/// without a shadow (zeroed shadow memory, a copy from memory that has
/// none), so the pointer stands in for its own shadow.
llvm::Value *standInIfNull(llvm::IRBuilderBase &B, llvm::Value *Shadow,
                           llvm::Value *Primal);
/// \p V, or zero (null) where \p StandIn holds: the length of a memset or
/// memcpy through a shadow that may be a stand-in, or the shadow that
/// realloc or free may release.
llvm::Value *unlessStandIn(llvm::IRBuilderBase &B, llvm::Value *StandIn,
                           llvm::Value *V);

/// The lengths of the shadow operations for a copy of \p Length bytes
/// whose destination or source shadow may be a stand-in (null where it
/// cannot be one; a source without any shadow passes true): the bytes
/// whose tangents or adjoints are copied, and the bytes of the
/// destination's shadow that are zeroed instead because the source has no
/// real shadow.
struct ShadowCopyLengths {
  llvm::Value *Copied;
  llvm::Value *Zeroed;
};
ShadowCopyLengths shadowCopyLengths(llvm::IRBuilderBase &B,
                                    llvm::Value *DestStandIn,
                                    llvm::Value *SourceStandIn,
                                    llvm::Value *Length);

} // namespace fluxion

#endif
