//===- ActivityAnalysis.h - Which values carry derivatives ------*- C++ -*-===//
//
// A floating value is active when it depends on an active input (it is
// "varied") and influences an active output (it is "useful"): only active
// values get tangents or adjoints. A pointer has a shadow when it is derived
// from a duplicated pointer argument; memory reached through it may hold
// active data.
//
//===----------------------------------------------------------------------===//
#ifndef FLUXION_ACTIVITYANALYSIS_H
#define FLUXION_ACTIVITYANALYSIS_H

#include "DiffRequest.h"

#include "llvm/ADT/SmallPtrSet.h"

#include <functional>
#include <memory>

namespace llvm {
class Function;
class Instruction;
class Type;
class Value;
} // namespace llvm

namespace fluxion {

/// Whether values of type \p Ty can carry a derivative: floating scalars,
/// vectors of them and aggregates containing them.
bool isDifferentiableType(const llvm::Type *Ty);

class WriteSummary;

/// The simplified body of a function (PreprocessCache::get).
using BodyProvider = std::function<llvm::Function &(llvm::Function &)>;

class ActivityAnalysis {
public:
  /// Analyzes \p F, whose parameters have the activities of \p Request.
  /// \p Simplified gives the bodies of callees whose own are not
  /// simplified (-O0), to see what they do with their arguments.
  ActivityAnalysis(llvm::Function &F, const DiffRequest &Request,
                   BodyProvider Simplified = nullptr);
  ~ActivityAnalysis();

  bool isActive(const llvm::Value *V) const { return Active.count(V); }
  bool hasShadow(const llvm::Value *V) const;
  bool isVaried(const llvm::Value *V) const { return Varied.count(V); }
  /// Whether the instruction's derivative code is needed: it produces an
  /// active value, or it may move active data through shadowed memory.
  bool needsDerivative(const llvm::Instruction &I) const;

private:
  void propagateVaried(llvm::Function &F);
  void propagateUseful(llvm::Function &F, const DiffRequest &Request);
  bool mayTouchActiveMemory(const llvm::Instruction &I) const;
  /// Gives the allocations \p Ptr may point into shadows, and, for a
  /// pointer read from memory, the allocations holding it. Returns whether
  /// anything changed.
  bool shadowAllocationBehind(const llvm::Value *Ptr, unsigned Depth = 0);
  bool shadowAllocationsWritten(const llvm::Instruction &I);

  llvm::SmallPtrSet<const llvm::Value *, 32> Varied;
  llvm::SmallPtrSet<const llvm::Value *, 32> Useful;
  llvm::SmallPtrSet<const llvm::Value *, 32> Active;
  llvm::SmallPtrSet<const llvm::Value *, 16> Shadowed;
  /// Which memory defined callees may write.
  std::unique_ptr<WriteSummary> Writes;
};

} // namespace fluxion

#endif
