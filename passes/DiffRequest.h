//===- DiffRequest.h - What to differentiate and how ------------*- C++ -*-===//
#ifndef FLUXION_DIFFREQUEST_H
#define FLUXION_DIFFREQUEST_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <tuple>

namespace llvm {
class Function;
} // namespace llvm

namespace fluxion {

enum class DiffMode { Forward, Reverse };

/// How one parameter of the differentiated function takes part.
enum class ArgActivity {
  Const,     ///< Inactive: only the value is passed.
  Dup,       ///< Value and shadow (tangent in forward, adjoint memory in
             ///< reverse).
  DupNoNeed, ///< As Dup; the primal result is not needed.
  Out,       ///< Active scalar by value; reverse mode returns its adjoint.
};

llvm::StringRef activityName(ArgActivity A);

/// Reverse mode: whether the function runs on the threads of an OpenMP
/// parallel region, as the region's microtask or called from it.
enum class Parallelism { None, Region, InRegion };

inline bool hasShadowArg(ArgActivity A) {
  return A == ArgActivity::Dup || A == ArgActivity::DupNoNeed;
}

/// A derivative to synthesize: the function, the mode and the activity of
/// each parameter and of the return value.
struct DiffRequest {
  llvm::Function *Fn = nullptr;
  DiffMode Mode = DiffMode::Forward;
  llvm::SmallVector<ArgActivity, 4> Args;
  bool ReturnActive = false;
  /// The function returns a pointer into memory that has shadows: forward
  /// and augmented functions return the shadow pointer after the pointer.
  bool ReturnShadow = false;
  /// Forward mode: how many tangents travel together (ad_width).
  unsigned Width = 1;
  /// Forward mode propagates estimates of relative floating-point error
  /// instead of tangents (__enzyme_error_estimate), as Enzyme does: an
  /// operation's error is the larger of one ulp of its result and the sum,
  /// over its operands x_i, of |dy/dx_i * x_i / y * error_i|.
  bool ErrorEstimate = false;
  /// Reverse mode: nothing writes the memory the arguments and globals
  /// reach between the two sweeps, so the reverse sweep may read it again
  /// instead of caching it. Holds for the combined gradient only: a callee's
  /// caller, or a user between split sweeps, may overwrite it.
  bool CallerMemoryStable = false;
  /// Bit I: the shadow of pointer argument I may be a stand-in, the primal
  /// pointer itself (StandInShadows.h); arguments from 64 on always may.
  uint64_t StandInArgs = 0;
  /// Reverse mode: the function runs on the threads of an OpenMP parallel
  /// region, so adjoints it adds to memory other threads reach are added
  /// atomically (summed per thread first in the region's microtask).
  Parallelism Parallel = Parallelism::None;

  bool operator<(const DiffRequest &O) const {
    return std::tie(Fn, Mode, Args, ReturnActive, ReturnShadow, Width,
                    ErrorEstimate, CallerMemoryStable, StandInArgs, Parallel) <
           std::tie(O.Fn, O.Mode, O.Args, O.ReturnActive, O.ReturnShadow,
                    O.Width, O.ErrorEstimate, O.CallerMemoryStable,
                    O.StandInArgs, O.Parallel);
  }
};

} // namespace fluxion

#endif
