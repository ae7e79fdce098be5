//===- SharedMemory.cpp - Give every block its own __shared__ variables ---===//
//
// On a GPU each block sees its own copy of every __shared__ variable. Here a
// block's threads all run on one OS thread, which owns one shared area per
// launch, so a shared variable becomes a fixed offset from the base that the
// runtime reports for the running block. `extern __shared__` arrays all alias
// the dynamic part, which follows the static variables as on the GPU.
//
//===----------------------------------------------------------------------===//

#include "Retarget.h"

#include "llvm/ADT/SetVector.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/ReplaceConstant.h"

using namespace llvm;

namespace fluxion::cudacpu {
namespace {

constexpr unsigned SharedAS = 3;
/// Dynamic shared memory is at least this aligned on the GPU.
constexpr uint64_t DynamicAlign = 16;

/// Removes the variables from llvm.used and llvm.compiler.used, the only
/// global initializers that may legitimately mention them.
void dropFromUsedLists(Module &M, const SetVector<GlobalVariable *> &Vars) {
  for (StringRef Name : {"llvm.used", "llvm.compiler.used"}) {
    GlobalVariable *Used = M.getGlobalVariable(Name);
    if (!Used || !Used->hasInitializer())
      continue;
    SmallVector<Constant *, 8> Keep;
    auto *Init = cast<ConstantArray>(Used->getInitializer());
    for (Value *Op : Init->operands())
      if (!Vars.contains(dyn_cast<GlobalVariable>(Op->stripPointerCasts())))
        Keep.push_back(cast<Constant>(Op));
    if (Keep.size() == Init->getNumOperands())
      continue;
    Type *EltTy = Init->getType()->getElementType();
    auto *ATy = ArrayType::get(EltTy, Keep.size());
    auto *NewUsed = new GlobalVariable(M, ATy, false, Used->getLinkage(),
                                       ConstantArray::get(ATy, Keep), "");
    NewUsed->setSection(Used->getSection());
    NewUsed->takeName(Used);
    Used->eraseFromParent();
  }
}

/// Static shared bytes reachable from each kernel; an indirect call may
/// reach anything, so it counts the whole static area.
void measureKernels(Module &M, const DenseMap<GlobalVariable *, uint64_t> &Size,
                    SharedLayout &Layout) {
  DenseMap<Function *, SmallPtrSet<GlobalVariable *, 4>> Direct;
  DenseMap<Function *, SmallVector<Function *, 4>> Callees;
  SmallPtrSet<Function *, 4> CallsIndirectly;
  for (Function &F : M) {
    for (Instruction &I : instructions(F)) {
      if (auto *CB = dyn_cast<CallBase>(&I)) {
        if (Function *Callee = CB->getCalledFunction())
          Callees[&F].push_back(Callee);
        else if (!CB->isInlineAsm())
          CallsIndirectly.insert(&F);
      }
      for (Value *Op : I.operands())
        if (auto *G = dyn_cast<GlobalVariable>(Op); G && Size.count(G))
          Direct[&F].insert(G);
    }
  }
  for (Function &K : M) {
    if (!isKernel(K))
      continue;
    SmallPtrSet<Function *, 16> Seen;
    SmallPtrSet<GlobalVariable *, 8> Vars;
    SmallVector<Function *, 16> Work{&K};
    bool Everything = false;
    while (!Work.empty()) {
      Function *F = Work.pop_back_val();
      if (!Seen.insert(F).second)
        continue;
      Everything |= CallsIndirectly.contains(F);
      Vars.insert(Direct[F].begin(), Direct[F].end());
      append_range(Work, Callees[F]);
    }
    uint64_t Bytes = 0;
    for (GlobalVariable *G : Vars)
      Bytes += Size.lookup(G);
    Layout.KernelStaticBytes[K.getName()] =
        Everything ? Layout.StaticBytes : Bytes;
  }
}

} // namespace

Expected<SharedLayout> lowerSharedMemory(Module &M) {
  SetVector<GlobalVariable *> Vars;
  for (GlobalVariable &G : M.globals())
    if (G.getAddressSpace() == SharedAS)
      Vars.insert(&G);

  SharedLayout Layout;
  const DataLayout &DL = M.getDataLayout();
  DenseMap<GlobalVariable *, uint64_t> Offset, Size;
  uint64_t DynAlign = DynamicAlign;
  for (GlobalVariable *G : Vars) {
    uint64_t Bytes = DL.getTypeAllocSize(G->getValueType());
    Align A = G->getAlign().value_or(DL.getABITypeAlign(G->getValueType()));
    if (G->isDeclaration()) {
      DynAlign = std::max(DynAlign, A.value());
      continue;
    }
    Layout.StaticBytes = alignTo(Layout.StaticBytes, A);
    Offset[G] = Layout.StaticBytes;
    Size[G] = Bytes;
    Layout.StaticBytes += Bytes;
  }
  Layout.DynamicOffset = alignTo(Layout.StaticBytes, DynAlign);
  for (GlobalVariable *G : Vars)
    if (G->isDeclaration())
      Offset[G] = Layout.DynamicOffset;

  dropFromUsedLists(M, Vars);
  convertUsersOfConstantsToInstructions(
      SmallVector<Constant *, 8>(Vars.begin(), Vars.end()));
  measureKernels(M, Size, Layout);

  LLVMContext &Ctx = M.getContext();
  FunctionCallee BaseFn =
      M.getOrInsertFunction("__fxcpu_shared_base",
                            FunctionType::get(PointerType::get(Ctx, 0), false));
  cast<Function>(BaseFn.getCallee())->setDoesNotAccessMemory();
  cast<Function>(BaseFn.getCallee())->setDoesNotThrow();

  for (GlobalVariable *G : Vars) {
    DenseMap<Function *, Value *> PerFunction;
    for (Use &U : make_early_inc_range(G->uses())) {
      auto *I = dyn_cast<Instruction>(U.getUser());
      if (!I)
        return retargetError("__shared__ variable '" + G->getName() +
                             "' is used outside device code");
      Function *F = I->getFunction();
      Value *&Replacement = PerFunction[F];
      if (!Replacement) {
        IRBuilder<> B(&*F->getEntryBlock().getFirstInsertionPt());
        Value *Base = B.CreateCall(BaseFn);
        Value *Addr = B.CreateConstInBoundsGEP1_64(B.getInt8Ty(), Base,
                                                   Offset[G], G->getName());
        Replacement = B.CreateAddrSpaceCast(Addr, G->getType());
      }
      U.set(Replacement);
    }
    G->eraseFromParent();
  }
  return Layout;
}

} // namespace fluxion::cudacpu
