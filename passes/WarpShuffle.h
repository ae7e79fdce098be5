//===- WarpShuffle.h - Derivatives of CUDA warp shuffles --------*- C++ -*-===//
//
// `__shfl_*_sync` moves a value between the lanes of a warp. Its tangent is
// the same shuffle of the tangent. Its adjoint runs the movement backwards:
// a butterfly (xor) shuffle is its own inverse, `down` by d is undone by
// `up` by d (and the reverse), with the lanes that read their own value at
// the edge of their segment (the whole warp, or `width` lanes) keeping their
// adjoint, and a broadcast from one lane sums the adjoints of the segment
// into that lane. A shuffle of any other form, a lane computed at run time
// among them, sends each lane's adjoint to the lane it read.
//
// clang splits a double shuffle into two 32-bit shuffles of its halves;
// Preprocess fuses them back into one call of an internal helper so that
// the double is differentiated as a value.
//
//===----------------------------------------------------------------------===//
#ifndef FLUXION_WARPSHUFFLE_H
#define FLUXION_WARPSHUFFLE_H

#include "llvm/IR/IRBuilder.h"

#include <optional>

namespace fluxion {

enum class ShuffleMode { Down, Up, Butterfly, Index };

/// A shuffle of a floating value: shfl.sync(Mask, Data, Offset, Clamp).
struct Shuffle {
  ShuffleMode Mode;
  llvm::Value *Mask, *Data, *Offset, *Clamp;
};

/// \p Call as a shuffle of a float or double, if it is one.
std::optional<Shuffle> asShuffle(const llvm::CallBase &Call);

/// Replaces the two 32-bit shuffles clang makes of a double's halves, and
/// the arithmetic that splits and joins them, by one double shuffle.
void fuseDoubleShuffles(llvm::Function &F);

/// Emits \p S applied to \p Value (a float or a double) instead of its data.
llvm::Value *emitShuffle(llvm::IRBuilderBase &B, const Shuffle &S,
                         llvm::Value *Value);

/// The adjoint \p DY of the result of \p S (operands already as the reverse
/// sweep sees them) moved back to the lanes it came from: what to add to the
/// adjoint of the data. Shuffles of a constant offset within segments of a
/// power-of-two width, whose mask holds whole segments, run backwards as
/// shuffles (a mask known only at run time is checked by a warp vote); any
/// other shuffle (a lane computed at run time, a partial mask) sends each
/// lane's adjoint to the lane it read by visiting the 32 lanes in turn.
llvm::Value *emitShuffleAdjoint(llvm::IRBuilderBase &B, const Shuffle &S,
                                llvm::Value *DY);

} // namespace fluxion

#endif
