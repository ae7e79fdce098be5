//===- PacketMath.h - SIMD library math as the functions it computes ------===//
//
// SIMD libraries evaluate math functions on packets with code a derivative
// cannot go through: Eigen's pexp and plog hide their operands from the
// optimizer with an inline-assembly barrier and build 2^n from integer
// bits, and differentiating their rounding steps would give a zero
// derivative. Calls of them are kept until Fluxion has read them and, in
// the copies it differentiates, become the LLVM math intrinsic on the
// packet, which has a row in the rule table; the primal keeps its own code.
//
//===----------------------------------------------------------------------===//
#ifndef FLUXION_PACKETMATH_H
#define FLUXION_PACKETMATH_H

#include "llvm/ADT/StringRef.h"

#include <optional>

namespace llvm {
class Function;
class Module;
} // namespace llvm

namespace fluxion {

/// The rule-table row of packet math function \p F (Eigen::internal::pexp
/// of a packet is "exp"), if it is one.
std::optional<llvm::StringRef> packetMathRow(const llvm::Function &F);

/// Keeps packet math functions out of the inliner until Fluxion has run,
/// in modules that call the AD builtins. Returns whether it changed \p M.
bool deferPacketMathInlining(llvm::Module &M);
/// Lets the inliner at them again.
void restorePacketMathInlining(llvm::Module &M);

/// Replaces the calls of packet math functions in \p F, a copy Fluxion
/// differentiates, with the math intrinsics on the packets.
void lowerPacketMathCalls(llvm::Function &F);

} // namespace fluxion

#endif
