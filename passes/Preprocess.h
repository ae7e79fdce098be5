//===- Preprocess.h - The simplified copy of a function that is differentiated
//-*- C++ -*-===//
//
// Differentiation works on a private copy of each function, simplified to
// SSA form (SROA, mem2reg, CSE, CFG cleanup, one return block), so that the
// engine sees the same IR at -O0 as at -O2 and the user's function is left
// untouched.
//
//===----------------------------------------------------------------------===//
#ifndef FLUXION_PREPROCESS_H
#define FLUXION_PREPROCESS_H

#include "llvm/ADT/DenseMap.h"
#include "llvm/IR/PassManager.h"
#include "llvm/Passes/PassBuilder.h"

#include <map>
#include <tuple>

namespace fluxion {

/// Splits llvm.sincos into llvm.sin and llvm.cos: in the copies nested AD
/// differentiates (each has its row in the rule table), and, with
/// \p OnlyInLoops, in loops before the vectorizers run (LLVM 22's
/// InstCombine turns a widened llvm.sincos of a shuffle into invalid IR).
/// Returns whether it changed \p F.
bool splitSineCosine(llvm::Function &F, const llvm::LoopInfo *OnlyInLoops);

/// Inlines non-recursive callees of at most \p MaxCalleeSize instructions
/// into \p Copy (a copy of \p Original), as the -O2 inliner would, leaving
/// calls that carry a derivative rule or a checkpoint; \p Rounds bounds the
/// depth of nested calls inlined.
void inlineSmallCallees(llvm::Function &Copy, llvm::Function &Original,
                        unsigned MaxCalleeSize = 100, unsigned Rounds = 32);

class PreprocessCache {
public:
  PreprocessCache();
  ~PreprocessCache();

  /// The simplified copy of \p F, made on first request.
  llvm::Function &get(llvm::Function &F);
  /// Simplifies \p F in place (SROA, mem2reg, CSE, CFG cleanup, one return
  /// block), whatever the optimization level.
  void simplify(llvm::Function &F);
  /// The user's function a simplified copy was made from.
  llvm::Function *original(llvm::Function &Copy) const;
  /// Analyses of functions Fluxion creates or rewrites.
  llvm::FunctionAnalysisManager &analyses() { return FAM; }
  /// Removes the copies once all derivatives are synthesized.
  void eraseCopies();

private:
  /// Calls in \p Copy that pass a function to a parameter the callee calls
  /// (a callback, an ODE right-hand side) call a copy of the callee with
  /// the parameter replaced by that function, so that the call through it
  /// is a direct call the engine differentiates.
  void specializeFunctionArguments(llvm::Function &Copy);

  llvm::LoopAnalysisManager LAM;
  llvm::FunctionAnalysisManager FAM;
  llvm::CGSCCAnalysisManager CGAM;
  llvm::ModuleAnalysisManager MAM;
  llvm::PassBuilder PB;
  llvm::DenseMap<llvm::Function *, llvm::Function *> Copies;
  llvm::DenseMap<llvm::Function *, llvm::Function *> Originals;
  /// (callee, parameter, function passed) to the specialized callee.
  std::map<std::tuple<llvm::Function *, unsigned, llvm::Function *>,
           llvm::Function *>
      Specializations;
};

} // namespace fluxion

#endif
