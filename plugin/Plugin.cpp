//===- Plugin.cpp - Registers Fluxion with the new pass manager -----------===//
//
// Pipeline placement: custom-derivative registrations are read at the start
// of the pipeline; Fluxion runs at the start of the optimizer, after the
// simplification pipeline (inlining, SROA, GVN) has cleaned up the primal and
// before vectorization. When it synthesized anything, the inliner and the
// function simplification pipeline run again so that derivatives are
// optimized like user code. At -O0 only the derivatives are built.
//
//===----------------------------------------------------------------------===//

#include "BuiltinArguments.h"
#include "BuiltinCall.h"
#include "Checkpoint.h"
#include "CustomRules.h"
#include "DenseViews.h"
#include "FluxionPass.h"
#include "Libdevice.h"
#include "PacketMath.h"
#include "Preprocess.h"

#include "llvm/Analysis/LoopInfo.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Plugins/PassPlugin.h"

using namespace llvm;

namespace {

/// Runs Fluxion, then \p PostOptimization if Fluxion changed the module.
class FluxionPipelinePass : public PassInfoMixin<FluxionPipelinePass> {
public:
  explicit FluxionPipelinePass(ModulePassManager PostOptimization)
      : PostOptimization(std::move(PostOptimization)) {}

  PreservedAnalyses run(Module &M, ModuleAnalysisManager &MAM) {
    PreservedAnalyses PA = fluxion::FluxionPass().run(M, MAM);
    if (PA.areAllPreserved())
      return PA;
    MAM.invalidate(M, PA);
    PostOptimization.run(M, MAM);
    return PreservedAnalyses::none();
  }
  static bool isRequired() { return true; }

private:
  ModulePassManager PostOptimization;
};

/// Reads custom-derivative registrations before the inliner runs, so that
/// calls of functions with user rules, and of libdevice math, stay calls
/// until Fluxion sees them.
class FluxionRegistrationPass : public PassInfoMixin<FluxionRegistrationPass> {
public:
  PreservedAnalyses run(Module &M, ModuleAnalysisManager &) {
    bool Changed =
        fluxion::collectCustomRules(M, /*RemoveRegistrations=*/false);
    Changed |= fluxion::keepBuiltinCallsApart(M);
    Changed |= fluxion::markSplitStructParameters(M);
    Changed |= fluxion::keepCheckpointBodies(M);
    Changed |= fluxion::deferLibdeviceInlining(M);
    Changed |= fluxion::deferPacketMathInlining(M);
    return Changed ? PreservedAnalyses::none() : PreservedAnalyses::all();
  }
  static bool isRequired() { return true; }
};

/// Splits the llvm.sincos calls derivatives contain in loops before the
/// vectorizers see them (splitSineCosine).
class SplitLoopSineCosinePass : public PassInfoMixin<SplitLoopSineCosinePass> {
public:
  PreservedAnalyses run(Function &F, FunctionAnalysisManager &FAM) {
    bool Fused = any_of(instructions(F), [](const Instruction &I) {
      const auto *Call = dyn_cast<IntrinsicInst>(&I);
      return Call && Call->getIntrinsicID() == Intrinsic::sincos;
    });
    if (!Fused || !fluxion::splitSineCosine(F, &FAM.getResult<LoopAnalysis>(F)))
      return PreservedAnalyses::all();
    PreservedAnalyses PA;
    PA.preserveSet<CFGAnalyses>();
    return PA;
  }
};

void registerCallbacks(PassBuilder &PB) {
  PB.registerPipelineStartEPCallback(
      [](ModulePassManager &MPM, OptimizationLevel) {
        MPM.addPass(FluxionRegistrationPass());
      });
  PB.registerVectorizerStartEPCallback(
      [](FunctionPassManager &FPM, OptimizationLevel) {
        FPM.addPass(SplitLoopSineCosinePass());
      });
  PB.registerPipelineParsingCallback(
      [](StringRef Name, ModulePassManager &MPM,
         ArrayRef<PassBuilder::PipelineElement>) {
        if (Name == "fluxion-dense-views") {
          MPM.addPass(fluxion::DenseViewsPass());
          return true;
        }
        if (Name != "fluxion")
          return false;
        MPM.addPass(fluxion::FluxionPass());
        return true;
      });
  PB.registerOptimizerEarlyEPCallback([&PB](ModulePassManager &MPM,
                                            OptimizationLevel Level,
                                            ThinOrFullLTOPhase Phase) {
    if (Level == OptimizationLevel::O0) {
      MPM.addPass(fluxion::FluxionPass(/*SimplifyDerivatives=*/true));
      MPM.addPass(fluxion::DenseViewsPass());
      return;
    }
    ModulePassManager Post;
    Post.addPass(PB.buildInlinerPipeline(Level, Phase));
    MPM.addPass(FluxionPipelinePass(std::move(Post)));
    MPM.addPass(fluxion::DenseViewsPass());
  });
}

} // namespace

extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo llvmGetPassPluginInfo() {
  return {LLVM_PLUGIN_API_VERSION, "Fluxion", "0.1", registerCallbacks};
}
