//===- AddressSpaces.cpp - Move every pointer to address space 0 ----------===//
//
// NVPTX keeps global, shared, constant and local memory in distinct address
// spaces; on the host they are all ordinary memory. Pointer types are part of
// function, global and intrinsic signatures, so the module is copied into a
// fresh one through a type remapper rather than patched in place.
//
//===----------------------------------------------------------------------===//

#include "Retarget.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/DerivedTypes.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/Intrinsics.h"
#include "llvm/IR/Module.h"
#include "llvm/Transforms/Utils/Cloning.h"
#include "llvm/Transforms/Utils/ValueMapper.h"

using namespace llvm;

namespace fluxion::cudacpu {
namespace {

class FlatTypes : public ValueMapTypeRemapper {
public:
  Type *remapType(Type *Ty) override {
    auto It = Cache.find(Ty);
    if (It != Cache.end())
      return It->second;
    Type *Mapped = compute(Ty);
    Cache[Ty] = Mapped;
    return Mapped;
  }

private:
  Type *compute(Type *Ty) {
    LLVMContext &Ctx = Ty->getContext();
    if (isa<PointerType>(Ty))
      return PointerType::get(Ctx, 0);
    if (auto *AT = dyn_cast<ArrayType>(Ty))
      return ArrayType::get(remapType(AT->getElementType()),
                            AT->getNumElements());
    if (auto *VT = dyn_cast<VectorType>(Ty))
      return VectorType::get(remapType(VT->getElementType()),
                             VT->getElementCount());
    if (auto *FT = dyn_cast<FunctionType>(Ty)) {
      SmallVector<Type *, 8> Params;
      for (Type *P : FT->params())
        Params.push_back(remapType(P));
      return FunctionType::get(remapType(FT->getReturnType()), Params,
                               FT->isVarArg());
    }
    auto *ST = dyn_cast<StructType>(Ty);
    if (!ST || ST->isOpaque())
      return Ty;
    SmallVector<Type *, 8> Elements;
    bool Changed = false;
    for (Type *E : ST->elements()) {
      Elements.push_back(remapType(E));
      Changed |= Elements.back() != E;
    }
    if (!Changed)
      return Ty;
    if (ST->isLiteral())
      return StructType::get(Ctx, Elements, ST->isPacked());
    return StructType::create(Ctx, Elements, (ST->getName() + ".host").str(),
                              ST->isPacked());
  }

  DenseMap<Type *, Type *> Cache;
};

/// Constant address space casts become the flattened operand itself. The
/// nested MapValue call uses a separate mapper instance and only maps
/// constants, which is safe.
class DropCasts : public ValueMaterializer {
public:
  DropCasts(ValueToValueMapTy &VMap, FlatTypes &Types)
      : VMap(VMap), Types(Types) {}

  Value *materialize(Value *V) override {
    auto *CE = dyn_cast<ConstantExpr>(V);
    if (!CE || CE->getOpcode() != Instruction::AddrSpaceCast)
      return nullptr;
    return MapValue(CE->getOperand(0), VMap, RF_None, &Types, this);
  }

private:
  ValueToValueMapTy &VMap;
  FlatTypes &Types;
};

Function *declareLike(Module &New, Function &F, FlatTypes &Types) {
  auto *FTy = cast<FunctionType>(Types.remapType(F.getFunctionType()));
  Intrinsic::ID ID = F.getIntrinsicID();
  if (ID != Intrinsic::not_intrinsic) {
    SmallVector<Type *, 4> Overloads;
    if (Intrinsic::getIntrinsicSignature(ID, F.getFunctionType(), Overloads)) {
      for (Type *&T : Overloads)
        T = Types.remapType(T);
      return Intrinsic::getOrInsertDeclaration(&New, ID, Overloads);
    }
  }
  Function *NF = Function::Create(FTy, F.getLinkage(), 0, F.getName(), &New);
  NF->copyAttributesFrom(&F);
  return NF;
}

void copyNamedMetadata(Module &Old, Module &New, ValueToValueMapTy &VMap,
                       FlatTypes &Types, DropCasts &Casts) {
  for (NamedMDNode &NMD : Old.named_metadata()) {
    StringRef Name = NMD.getName();
    // NVPTX kernel annotations and the NVVM IR version mean nothing to x86.
    if (Name == "nvvm.annotations" || Name == "nvvmir.version")
      continue;
    NamedMDNode *Dest = New.getOrInsertNamedMetadata(Name);
    SmallPtrSet<MDNode *, 8> Present(Dest->op_begin(), Dest->op_end());
    for (MDNode *Op : NMD.operands()) {
      MDNode *Mapped = MapMetadata(Op, VMap, RF_None, &Types, &Casts);
      if (Present.insert(Mapped).second)
        Dest->addOperand(Mapped);
    }
  }
}

} // namespace

Expected<std::unique_ptr<Module>> flattenAddressSpaces(Module &Old) {
  if (!Old.aliases().empty() || !Old.ifuncs().empty())
    return retargetError("global aliases in device code are not supported");
  if (!Old.getModuleInlineAsm().empty())
    return retargetError("module-level inline PTX assembly is not supported");

  auto New =
      std::make_unique<Module>(Old.getModuleIdentifier(), Old.getContext());
  New->setSourceFileName(Old.getSourceFileName());
  FlatTypes Types;
  ValueToValueMapTy VMap;
  DropCasts Casts(VMap, Types);

  for (GlobalVariable &G : Old.globals()) {
    auto *NG = new GlobalVariable(*New, Types.remapType(G.getValueType()),
                                  G.isConstant(), G.getLinkage(), nullptr,
                                  G.getName(), nullptr, G.getThreadLocalMode(),
                                  0, G.isExternallyInitialized());
    NG->copyAttributesFrom(&G);
    VMap[&G] = NG;
  }
  for (Function &F : Old)
    VMap[&F] = declareLike(*New, F, Types);

  for (GlobalVariable &G : Old.globals()) {
    auto *NG = cast<GlobalVariable>(VMap[&G]);
    if (G.hasInitializer())
      NG->setInitializer(
          MapValue(G.getInitializer(), VMap, RF_None, &Types, &Casts));
    SmallVector<std::pair<unsigned, MDNode *>, 2> MDs;
    G.getAllMetadata(MDs);
    for (auto &[Kind, MD] : MDs)
      NG->addMetadata(Kind, *MapMetadata(MD, VMap, RF_None, &Types, &Casts));
  }

  for (Function &F : Old) {
    if (F.isDeclaration())
      continue;
    auto *NF = cast<Function>(VMap[&F]);
    for (auto [OldArg, NewArg] : zip(F.args(), NF->args())) {
      NewArg.setName(OldArg.getName());
      VMap[&OldArg] = &NewArg;
    }
    SmallVector<ReturnInst *, 4> Returns;
    CloneFunctionInto(NF, &F, VMap, CloneFunctionChangeType::DifferentModule,
                      Returns, "", nullptr, &Types, &Casts);
    // Casts between address spaces are now casts from a pointer to itself.
    for (Instruction &I : make_early_inc_range(instructions(*NF))) {
      if (!isa<AddrSpaceCastInst>(I))
        continue;
      I.replaceAllUsesWith(I.getOperand(0));
      I.eraseFromParent();
    }
  }

  copyNamedMetadata(Old, *New, VMap, Types, Casts);
  // Cloning creates llvm.dbg.cu even without debug info; an empty one makes
  // the backend warn about a missing debug info version.
  if (NamedMDNode *CUs = New->getNamedMetadata("llvm.dbg.cu");
      CUs && CUs->getNumOperands() == 0)
    New->eraseNamedMetadata(CUs);
  return New;
}

} // namespace fluxion::cudacpu
