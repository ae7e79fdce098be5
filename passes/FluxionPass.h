//===- FluxionPass.h - The module pass that lowers AD builtins --*- C++ -*-===//
#ifndef FLUXION_FLUXIONPASS_H
#define FLUXION_FLUXIONPASS_H

#include "llvm/IR/PassManager.h"

namespace fluxion {

/// Replaces every __ad_autodiff / __ad_fwddiff (and Enzyme-spelled) call in
/// the module with a call of a synthesized derivative, then removes the
/// builtins' declarations and the activity markers. Preserves everything when
/// the module calls no builtin.
class FluxionPass : public llvm::PassInfoMixin<FluxionPass> {
public:
  /// \p SimplifyDerivatives promotes the synthesized functions' stack slots
  /// to registers and folds them, for pipelines that optimize nothing
  /// afterwards (-O0): their frames then stay close to the primal's, so
  /// deep recursion fits the stack where the primal does.
  explicit FluxionPass(bool SimplifyDerivatives = false)
      : SimplifyDerivatives(SimplifyDerivatives) {}

  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &);
  static bool isRequired() { return true; }

private:
  bool SimplifyDerivatives;
};

} // namespace fluxion

#endif
