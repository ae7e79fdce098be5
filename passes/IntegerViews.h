//===- IntegerViews.h - Floats SIMD code handles as integers ----*- C++ -*-===//
//
// SIMD code moves and edits floating-point lanes through integer views of
// the same bits: Eigen broadcasts doubles with _mm_shuffle_epi32 and
// negates them by xor with the sign bit. Such operations become the
// floating operations they are, so that derivatives flow through them;
// only bit manipulation that takes a float apart stays integer (and is an
// error where the float is active, InstructionSupport.h).
//
//===----------------------------------------------------------------------===//
#ifndef FLUXION_INTEGERVIEWS_H
#define FLUXION_INTEGERVIEWS_H

namespace llvm {
class Function;
} // namespace llvm

namespace fluxion {

/// Rewrites, in \p F, shuffles of whole float lanes done on integer
/// vectors, loads of floats as integer vectors, and sign-bit xor/and/or as
/// floating-point shuffles, loads and fneg/fabs.
void floatIntegerViews(llvm::Function &F);

} // namespace fluxion

#endif
