//===- Preprocess.cpp - The simplified copy of a function that is differentiated ===//

#include "Preprocess.h"

#include "llvm/IR/Module.h"
#include "llvm/Transforms/InstCombine/InstCombine.h"
#include "llvm/Transforms/Scalar/EarlyCSE.h"
#include "llvm/Transforms/Scalar/SROA.h"
#include "llvm/Transforms/Scalar/SimplifyCFG.h"
#include "llvm/Transforms/Utils/Cloning.h"
#include "llvm/Transforms/Utils/Mem2Reg.h"
#include "llvm/Transforms/Utils/UnifyFunctionExitNodes.h"

using namespace llvm;

namespace fluxion {

PreprocessCache::PreprocessCache() {
  PB.registerModuleAnalyses(MAM);
  PB.registerCGSCCAnalyses(CGAM);
  PB.registerFunctionAnalyses(FAM);
  PB.registerLoopAnalyses(LAM);
  PB.crossRegisterProxies(LAM, FAM, CGAM, MAM);
}

PreprocessCache::~PreprocessCache() = default;

Function &PreprocessCache::get(Function &F) {
  if (Function *Copy = Copies.lookup(&F))
    return *Copy;
  ValueToValueMapTy VMap;
  Function *Copy = CloneFunction(&F, VMap);
  Copy->setName("fluxion.primal." + F.getName());
  Copy->setLinkage(GlobalValue::InternalLinkage);
  Copy->removeFnAttr(Attribute::OptimizeNone);
  Copy->removeFnAttr(Attribute::NoInline);

  FunctionPassManager FPM;
  FPM.addPass(SROAPass(SROAOptions::ModifyCFG));
  FPM.addPass(PromotePass());
  FPM.addPass(EarlyCSEPass());
  FPM.addPass(InstCombinePass());
  FPM.addPass(SimplifyCFGPass());
  FPM.addPass(UnifyFunctionExitNodesPass());
  FPM.run(*Copy, FAM);
  FAM.clear(*Copy, Copy->getName());

  Copies[&F] = Copy;
  Originals[Copy] = &F;
  return *Copy;
}

Function *PreprocessCache::original(Function &Copy) const {
  return Originals.lookup(&Copy);
}

void PreprocessCache::eraseCopies() {
  for (auto &[Original, Copy] : Copies) {
    FAM.clear(*Copy, Copy->getName());
    Copy->dropAllReferences();
  }
  for (auto &[Original, Copy] : Copies)
    Copy->eraseFromParent();
  Copies.clear();
  Originals.clear();
}

} // namespace fluxion
