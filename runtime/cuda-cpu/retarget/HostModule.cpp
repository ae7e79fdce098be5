//===- HostModule.cpp - Entry points, tables and x86-64 target ------------===//
//
// The host object from clang's CUDA host compile registers every kernel and
// device variable by name. The retargeted device module registers, under the
// same token as the host's stand-in GPU binary, a table mapping those names
// to entry points and addresses. Everything else becomes internal, so that
// functions compiled for both sides (__host__ __device__, templates) never
// clash with their host twins at link time.
//
//===----------------------------------------------------------------------===//

#include "Retarget.h"

#include "llvm/IR/AttributeMask.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/Module.h"
#include "llvm/Transforms/Utils/ModuleUtils.h"

#include "../DeviceAbi.h"

using namespace llvm;

namespace fluxion::cudacpu {

Error retargetError(const Twine &Message) {
  return createStringError(inconvertibleErrorCode(), Message);
}

bool isKernel(const Function &F) {
  return F.getCallingConv() == CallingConv::PTX_Kernel;
}

namespace {

constexpr const char *HostDataLayout =
    "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:"
    "64-S128";
constexpr const char *HostTriple = "x86_64-pc-linux-gnu";

Constant *stringConstant(Module &M, StringRef S, const Twine &Name) {
  Constant *Init = ConstantDataArray::getString(M.getContext(), S);
  auto *G = new GlobalVariable(M, Init->getType(), true,
                               GlobalValue::PrivateLinkage, Init, Name);
  G->setUnnamedAddr(GlobalValue::UnnamedAddr::Global);
  return G;
}

/// void entry(void **Args): loads each argument from the array that
/// cudaLaunchKernel received and calls the kernel.
Function *emitEntry(Module &M, Function &K) {
  LLVMContext &Ctx = M.getContext();
  Type *Ptr = PointerType::get(Ctx, 0);
  auto *Entry = Function::Create(
      FunctionType::get(Type::getVoidTy(Ctx), {Ptr}, false),
      GlobalValue::InternalLinkage, "__fxcpu_entry." + K.getName(), M);
  IRBuilder<> B(BasicBlock::Create(Ctx, "", Entry));
  const DataLayout &DL = M.getDataLayout();
  SmallVector<Value *, 8> Args;
  for (Argument &A : K.args()) {
    Value *Slot = B.CreateLoad(
        Ptr, B.CreateConstInBoundsGEP1_64(Ptr, Entry->getArg(0), A.getArgNo()));
    // By-value aggregates are copied by the callee, as on the GPU.
    if (A.hasByValAttr())
      Args.push_back(Slot);
    else
      Args.push_back(B.CreateAlignedLoad(A.getType(), Slot,
                                         DL.getABITypeAlign(A.getType())));
  }
  CallInst *Call = B.CreateCall(&K, Args);
  Call->setAttributes(K.getAttributes());
  B.CreateRetVoid();
  return Entry;
}

/// Device-library entry points that have a host counterpart under another
/// name. Calls of __nv_* remain only when libdevice was not linked; libm
/// provides the same functions without the prefix.
void renameRuntimeCalls(Module &M) {
  for (Function &F : make_early_inc_range(M)) {
    if (!F.isDeclaration())
      continue;
    StringRef Name = F.getName();
    if (Name == "vprintf")
      F.setName("__fxcpu_vprintf");
    else if (Name == "__assertfail")
      F.setName("__fxcpu_assertfail");
    else if (Name == "malloc" || Name == "free")
      F.setName("__fxcpu_" + Name.str());
    else if (Name.starts_with("__nv_"))
      F.setName(Name.drop_front(strlen("__nv_")));
    else if (Name == "__nvvm_reflect") {
      // Unresolved reflection queries (ftz, precise division) get the
      // defaults clang uses for sm_90 without fast-math flags.
      for (User *U : make_early_inc_range(F.users()))
        if (auto *CI = dyn_cast<CallInst>(U)) {
          CI->replaceAllUsesWith(ConstantInt::get(CI->getType(), 0));
          CI->eraseFromParent();
        }
    }
  }
}

/// threadIdx, blockIdx, blockDim and gridDim are declared as objects whose
/// member functions read special registers without touching the object; at
/// -O0 their address is still taken, so they need a definition.
void defineBuiltinVariables(Module &M) {
  for (GlobalVariable &G : M.globals()) {
    auto *ST = dyn_cast<StructType>(G.getValueType());
    if (G.isDeclaration() && ST && ST->hasName() &&
        ST->getName().starts_with("struct.__cuda_builtin_")) {
      G.setInitializer(Constant::getNullValue(ST));
      G.setLinkage(GlobalValue::InternalLinkage);
    }
  }
}

void makeHostFunctions(Module &M) {
  for (Function &F : M) {
    if (F.getCallingConv() == CallingConv::PTX_Kernel)
      F.setCallingConv(CallingConv::C);
    AttributeMask Drop;
    Drop.addAttribute("target-cpu");
    Drop.addAttribute("target-features");
    Drop.addAttribute("uniform-work-group-size");
    for (Attribute A : F.getAttributes().getFnAttrs())
      if (A.isStringAttribute() && A.getKindAsString().starts_with("nvvm."))
        Drop.addAttribute(A.getKindAsString());
    F.removeFnAttrs(Drop);
    for (Instruction &I : instructions(F))
      if (auto *CB = dyn_cast<CallBase>(&I);
          CB && CB->getCallingConv() == CallingConv::PTX_Kernel)
        CB->setCallingConv(CallingConv::C);
  }
}

} // namespace

Error finishHostModule(Module &M, const SharedLayout &Layout, StringRef Token) {
  M.setTargetTriple(Triple(HostTriple));
  M.setDataLayout(HostDataLayout);
  renameRuntimeCalls(M);
  defineBuiltinVariables(M);

  LLVMContext &Ctx = M.getContext();
  Type *Ptr = PointerType::get(Ctx, 0);
  Type *I32 = Type::getInt32Ty(Ctx), *I64 = Type::getInt64Ty(Ctx);
  auto *EntryTy = StructType::create(Ctx, {Ptr, Ptr, I64}, "fxcpu.entry");
  const DataLayout &DL = M.getDataLayout();

  SmallVector<Function *, 8> Kernels;
  for (Function &F : M)
    if (isKernel(F) && !F.isDeclaration())
      Kernels.push_back(&F);
  SmallVector<Constant *, 8> KernelRows, VarRows;
  for (Function *K : Kernels) {
    uint64_t Shared = Layout.KernelStaticBytes.lookup(K->getName());
    KernelRows.push_back(ConstantStruct::get(
        EntryTy, {stringConstant(M, K->getName(), "fxcpu.kname"),
                  emitEntry(M, *K), ConstantInt::get(I64, Shared)}));
  }
  // Clang marks every __device__ and __constant__ variable, the ones the
  // host may copy to, as externally initialized.
  for (GlobalVariable &G : M.globals()) {
    if (!G.isExternallyInitialized() || G.isDeclaration())
      continue;
    G.setConstant(false);
    VarRows.push_back(ConstantStruct::get(
        EntryTy,
        {stringConstant(M, G.getName(), "fxcpu.vname"), &G,
         ConstantInt::get(I64, DL.getTypeAllocSize(G.getValueType()))}));
  }
  makeHostFunctions(M);

  auto Table = [&](ArrayRef<Constant *> Rows, const Twine &Name) -> Constant * {
    if (Rows.empty())
      return ConstantPointerNull::get(PointerType::get(Ctx, 0));
    auto *Ty = ArrayType::get(EntryTy, Rows.size());
    return new GlobalVariable(M, Ty, true, GlobalValue::PrivateLinkage,
                              ConstantArray::get(Ty, Rows), Name);
  };
  auto *InfoTy = StructType::create(
      Ctx, {I32, I32, I32, I32, Ptr, Ptr, Ptr, I64, I64}, "fxcpu.module");
  Constant *Info = ConstantStruct::get(
      InfoTy, {ConstantInt::get(I32, FXCPU_ABI_VERSION),
               ConstantInt::get(I32, KernelRows.size()),
               ConstantInt::get(I32, VarRows.size()), ConstantInt::get(I32, 0),
               stringConstant(M, Token, "fxcpu.token"),
               Table(KernelRows, "fxcpu.kernels"), Table(VarRows, "fxcpu.vars"),
               ConstantInt::get(I64, Layout.StaticBytes),
               ConstantInt::get(I64, Layout.DynamicOffset)});
  auto *InfoVar = new GlobalVariable(
      M, InfoTy, true, GlobalValue::PrivateLinkage, Info, "fxcpu.module");

  // Internal from here on: the constructor below is the only way in.
  for (GlobalObject &GO : M.global_objects()) {
    if (GO.isDeclaration() || GO.getName().starts_with("llvm."))
      continue;
    GO.setLinkage(GlobalValue::InternalLinkage);
    GO.setComdat(nullptr);
    GO.setDSOLocal(true);
  }
  M.getComdatSymbolTable().clear();

  auto *Ctor =
      Function::Create(FunctionType::get(Type::getVoidTy(Ctx), false),
                       GlobalValue::InternalLinkage, "__fxcpu_module_ctor", M);
  IRBuilder<> B(BasicBlock::Create(Ctx, "", Ctor));
  B.CreateCall(M.getOrInsertFunction(
                   "__fxcpu_register_module",
                   FunctionType::get(Type::getVoidTy(Ctx), {Ptr}, false)),
               {InfoVar});
  B.CreateRetVoid();
  appendToGlobalCtors(M, Ctor, 65535);
  return Error::success();
}

} // namespace fluxion::cudacpu
