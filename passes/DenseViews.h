//===- DenseViews.h - Memory read and written through functions -*- C++ -*-===//
//
// __enzyme_todense(load, store, args...) returns a pointer P that is not
// memory: a load of T at byte offset k from P is a call load(k, args...)
// returning T, a store of v is a call store(v, k, args...). Programs use it
// to seed forward derivatives from a procedural tangent (an identity
// column: load returns k / sizeof(T) == i) and to collect derivative
// writes sparsely (store appends a (row, column, value) triplet), so that a
// Hessian is built one sparse row per forward pass of a gradient.
//
// The builtin becomes a call of a marker function that derivatives pass
// around as an ordinary pointer. Once the derivatives are built and
// inlined, lowerDenseViews inlines whatever else still receives such a
// pointer and rewrites every load and store through it into the calls;
// anything else done with it (a copy, passing it to an external function)
// is an error at that instruction.
//
//===----------------------------------------------------------------------===//
#ifndef FLUXION_DENSEVIEWS_H
#define FLUXION_DENSEVIEWS_H

#include "llvm/IR/PassManager.h"
#include "llvm/Support/Error.h"

namespace llvm {
class CallBase;
class Value;
} // namespace llvm

namespace fluxion {

/// The pointer __enzyme_todense call \p Call returns: a call of the view
/// marker with the access functions and their extra arguments.
llvm::Expected<llvm::Value *> lowerToDense(llvm::CallBase &Call);

/// Rewrites the loads and stores through the views of \p M into calls of
/// their access functions. Returns whether it changed \p M.
bool lowerDenseViews(llvm::Module &M);

/// Runs lowerDenseViews after the derivatives are built and optimized.
class DenseViewsPass : public llvm::PassInfoMixin<DenseViewsPass> {
public:
  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &) {
    return lowerDenseViews(M) ? llvm::PreservedAnalyses::none()
                              : llvm::PreservedAnalyses::all();
  }
  static bool isRequired() { return true; }
};

} // namespace fluxion

#endif // FLUXION_DENSEVIEWS_H
