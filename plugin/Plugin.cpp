//===- Plugin.cpp - Registers Fluxion with the new pass manager -----------===//
//
// Pipeline placement: custom-derivative registrations are read at the start
// of the pipeline; Fluxion runs at the start of the optimizer, after the
// simplification pipeline (inlining, SROA, GVN) has cleaned up the primal and
// before vectorization. When it synthesized anything, the inliner and the
// function simplification pipeline run again so that derivatives are
// optimized like user code. At -O0 only the derivatives are built.
// -fluxion-truncate-all (Truncation.h) rewrites the module just before
// Fluxion runs.
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
#include "Truncation.h"

#include "llvm/Analysis/LoopInfo.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Plugins/PassPlugin.h"
#include "llvm/Support/CommandLine.h"

using namespace llvm;

namespace {

// clang loads pass plugins before it reads -mllvm, so `-mllvm
// -fluxion-truncate-all=...` reaches this option with -fpass-plugin= alone.
cl::opt<std::string> TruncateAll(
    "fluxion-truncate-all", cl::init(""), cl::value_desc("truncations"),
    cl::desc("Compute every function of the module in a narrower "
             "floating-point format: \"64to32\", \"64to16\", or exponent "
             "and mantissa widths as in \"11-52to3-7\"; several separated "
             "by ';'"));
cl::alias EnzymeTruncateAll("enzyme-truncate-all",
                            cl::desc("Enzyme's spelling of "
                                     "-fluxion-truncate-all"),
                            cl::aliasopt(TruncateAll));

/// -fluxion-truncate-all runs before the builtins are lowered, so that
/// derivatives are taken of the truncated code, as in Enzyme.
void addTruncateAll(ModulePassManager &MPM) {
  if (!TruncateAll.empty())
    MPM.addPass(fluxion::TruncateAllPass(TruncateAll));
}

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
        addTruncateAll(MPM);
        MPM.addPass(fluxion::FluxionPass());
        return true;
      });
  PB.registerOptimizerEarlyEPCallback([&PB](ModulePassManager &MPM,
                                            OptimizationLevel Level,
                                            ThinOrFullLTOPhase Phase) {
    addTruncateAll(MPM);
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
  return {LLVM_PLUGIN_API_VERSION, "Fluxion", FLUXION_VERSION, registerCallbacks};
}
