//===- ShadowMemory.cpp - Shadows of allocations and of copies ------------===//

#include "ShadowMemory.h"
#include "TypeAnalysis.h"

#include "ActivityAnalysis.h"
#include "CustomRules.h"
#include "LibraryFunctions.h"

#include "llvm/Analysis/ValueTracking.h"
#include "llvm/IR/IntrinsicsNVPTX.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/PatternMatch.h"

using namespace llvm;

namespace fluxion {

AllocationKind allocationKind(const CallBase &Call) {
  const Function *Callee = Call.getCalledFunction();
  if (!Callee)
    return AllocationKind::None;
  if (customAllocator(*Callee))
    return AllocationKind::Custom;
  switch (libraryFunction(*Callee).value_or(NotLibFunc)) {
  case LibFunc_malloc:
    return AllocationKind::Malloc;
  case LibFunc_calloc:
    return AllocationKind::Calloc;
  case LibFunc_realloc:
    return AllocationKind::Realloc;
  case LibFunc_aligned_alloc:
  case LibFunc_memalign:
    return AllocationKind::Aligned;
  case LibFunc_Znwm:
  case LibFunc_Znam:
    return AllocationKind::CxxNew;
  default:
    return AllocationKind::None;
  }
}

bool isDeallocation(const CallBase &Call) {
  const Function *Callee = Call.getCalledFunction();
  if (!Callee)
    return false;
  switch (libraryFunction(*Callee).value_or(NotLibFunc)) {
  case LibFunc_free:
  case LibFunc_ZdlPv:
  case LibFunc_ZdlPvm:
  case LibFunc_ZdaPv:
  case LibFunc_ZdaPvm:
    return true;
  default:
    return false;
  }
}

Value *allocaSize(IRBuilderBase &B, AllocaInst &Alloca) {
  const DataLayout &DL = Alloca.getDataLayout();
  Value *Elem = B.getInt64(DL.getTypeAllocSize(Alloca.getAllocatedType()));
  Value *Count = B.CreateZExtOrTrunc(Alloca.getArraySize(), B.getInt64Ty());
  return B.CreateMul(Elem, Count);
}

Value *createShadowAllocation(IRBuilderBase &B, Instruction &Allocation,
                              Value *ReallocatedShadow) {
  Instruction *Shadow = B.Insert(Allocation.clone());
  Shadow->setName(Allocation.getName() + ".shadow");
  if (auto *Alloca = dyn_cast<AllocaInst>(&Allocation)) {
    B.CreateMemSet(Shadow, B.getInt8(0), allocaSize(B, *Alloca),
                   Alloca->getAlign());
    return Shadow;
  }
  auto &Call = cast<CallBase>(Allocation);
  switch (allocationKind(Call)) {
  case AllocationKind::Realloc:
    cast<CallBase>(Shadow)->setArgOperand(0, ReallocatedShadow);
    break;
  case AllocationKind::Calloc:
    break;
  case AllocationKind::Aligned:
    B.CreateMemSet(Shadow, B.getInt8(0), Call.getArgOperand(1), MaybeAlign());
    break;
  case AllocationKind::Custom:
    // The shadow comes from the same allocator, with the same arguments.
    B.CreateMemSet(
        Shadow, B.getInt8(0),
        Call.getArgOperand(customAllocator(*Call.getCalledFunction())->SizeArg),
        MaybeAlign());
    break;
  default:
    B.CreateMemSet(Shadow, B.getInt8(0), Call.getArgOperand(0), MaybeAlign());
    break;
  }
  return Shadow;
}

void createShadowDeallocation(IRBuilderBase &B, CallBase &Deallocation,
                              Value *Shadow) {
  auto *Release = cast<CallBase>(Deallocation.clone());
  Release->setArgOperand(0, Shadow);
  B.Insert(Release);
}

void releaseShadow(IRBuilderBase &B, Instruction &Allocation, Value *Shadow,
                   function_ref<Value *(Value *)> Primal) {
  if (auto *Call = dyn_cast<CallBase>(&Allocation);
      Call && allocationKind(*Call) == AllocationKind::Custom) {
    CustomAllocator Allocator = *customAllocator(*Call->getCalledFunction());
    SmallVector<Value *, 4> Args;
    for (int Index : Allocator.DeallocatorArgs)
      Args.push_back(Index < 0 ? Shadow : Primal(Call->getArgOperand(Index)));
    B.CreateCall(Allocator.Deallocator, Args);
    return;
  }
  Module &M = *B.GetInsertBlock()->getModule();
  StringRef Release = "free";
  if (auto *Call = dyn_cast<CallBase>(&Allocation))
    if (allocationKind(*Call) == AllocationKind::CxxNew)
      Release =
          Call->getCalledFunction()->getName() == "_Znam" ? "_ZdaPv" : "_ZdlPv";
  FunctionCallee Free =
      M.getOrInsertFunction(Release, B.getVoidTy(), B.getPtrTy());
  B.CreateCall(Free, {Shadow});
}

namespace {

using ElementEmitter = void (*)(IRBuilderBase &B, Type *Ty, Value *Dst,
                                Value *Src);

/// Emits \p Emit for each field of aggregate \p Ty at \p Dst / \p Src
/// whose type satisfies \p Wanted.
void forEachField(IRBuilderBase &B, Type *Ty, Value *Dst, Value *Src,
                  bool (*Wanted)(const Type *), ElementEmitter Emit) {
  const DataLayout &DL = B.GetInsertBlock()->getModule()->getDataLayout();
  auto Field = [&](Type *FieldTy, uint64_t Offset) {
    if (Wanted(FieldTy))
      Emit(B, FieldTy, B.CreateConstInBoundsGEP1_64(B.getInt8Ty(), Dst, Offset),
           B.CreateConstInBoundsGEP1_64(B.getInt8Ty(), Src, Offset));
  };
  if (auto *ST = dyn_cast<StructType>(Ty)) {
    const StructLayout *SL = DL.getStructLayout(ST);
    for (unsigned Idx = 0; Idx < ST->getNumElements(); ++Idx)
      Field(ST->getElementType(Idx), SL->getElementOffset(Idx));
  } else if (auto *AT = dyn_cast<ArrayType>(Ty)) {
    uint64_t Stride = DL.getTypeAllocSize(AT->getElementType());
    for (uint64_t Idx = 0; Idx < AT->getNumElements(); ++Idx)
      Field(AT->getElementType(), Idx * Stride);
  }
}

/// Emits, for one element of type \p Ty at \p Dst / \p Src: src += dst;
/// dst = 0, recursing into aggregates.
void emitElementAdjoint(IRBuilderBase &B, Type *Ty, Value *Dst, Value *Src) {
  if (!Ty->isFPOrFPVectorTy())
    return forEachField(B, Ty, Dst, Src, isDifferentiableType,
                        emitElementAdjoint);
  Value *D = B.CreateLoad(Ty, Dst);
  Value *S = B.CreateLoad(Ty, Src);
  B.CreateStore(B.CreateFAdd(S, D), Src);
  B.CreateStore(Constant::getNullValue(Ty), Dst);
}

/// Emits, for one element of type \p Ty at \p Dst / \p Src: the pointer
/// fields of dst = those of src, recursing into aggregates.
void emitElementPointerCopy(IRBuilderBase &B, Type *Ty, Value *Dst,
                            Value *Src) {
  if (!Ty->isPtrOrPtrVectorTy())
    return forEachField(B, Ty, Dst, Src, containsPointer,
                        emitElementPointerCopy);
  B.CreateStore(B.CreateLoad(Ty, Src), Dst);
}

static bool anyField(const Type *) { return true; }

/// Emits, for one element of type \p Ty at \p Dst / \p Src: dst = src,
/// field by field, so that the copy keeps the types of what it moves.
void emitElementCopy(IRBuilderBase &B, Type *Ty, Value *Dst, Value *Src) {
  if (Ty->isAggregateType())
    return forEachField(B, Ty, Dst, Src, anyField, emitElementCopy);
  B.CreateStore(B.CreateLoad(Ty, Src), Dst);
}

/// fluxion.<Prefix>.<type>(dst, src, bytes): the loop of \p Emit over
/// elements, made once per module and element type.
Function &elementLoop(Module &M, StringRef Prefix, Type *Elem,
                      ElementEmitter Emit) {
  std::string Name;
  raw_string_ostream OS(Name);
  OS << "fluxion." << Prefix << ".";
  Elem->print(OS);
  if (Function *F = M.getFunction(OS.str()))
    return *F;
  LLVMContext &Ctx = M.getContext();
  Type *PtrTy = PointerType::getUnqual(Ctx);
  Type *I64 = Type::getInt64Ty(Ctx);
  auto *F = Function::Create(
      FunctionType::get(Type::getVoidTy(Ctx), {PtrTy, PtrTy, I64}, false),
      GlobalValue::InternalLinkage, OS.str(), M);
  F->addFnAttr(Attribute::NoUnwind);
  uint64_t Stride = M.getDataLayout().getTypeAllocSize(Elem);
  auto *Entry = BasicBlock::Create(Ctx, "entry", F);
  auto *Loop = BasicBlock::Create(Ctx, "loop", F);
  auto *Exit = BasicBlock::Create(Ctx, "exit", F);
  IRBuilder<> B(Entry);
  Value *Count = B.CreateUDiv(F->getArg(2), B.getInt64(Stride), "count");
  B.CreateCondBr(B.CreateICmpEQ(Count, B.getInt64(0)), Exit, Loop);
  B.SetInsertPoint(Loop);
  PHINode *Index = B.CreatePHI(I64, 2, "index");
  Index->addIncoming(B.getInt64(0), Entry);
  Value *Offset = B.CreateMul(Index, B.getInt64(Stride));
  Emit(B, Elem, B.CreateGEP(B.getInt8Ty(), F->getArg(0), Offset),
       B.CreateGEP(B.getInt8Ty(), F->getArg(1), Offset));
  Value *Next = B.CreateAdd(Index, B.getInt64(1));
  Index->addIncoming(Next, Loop);
  B.CreateCondBr(B.CreateICmpEQ(Next, Count), Exit, Loop);
  B.SetInsertPoint(Exit);
  B.CreateRetVoid();
  return *F;
}

} // namespace

void emitCopyAdjoint(IRBuilderBase &B, Type *Elem, Value *DstShadow,
                     Value *SrcShadow, Value *Size, bool MayOverlap) {
  Module &M = *B.GetInsertBlock()->getModule();
  Size = B.CreateZExtOrTrunc(Size, B.getInt64Ty());
  Function &Adjoint = elementLoop(M, "copy.adjoint", Elem, emitElementAdjoint);
  if (!MayOverlap) {
    B.CreateCall(&Adjoint, {DstShadow, SrcShadow, Size});
    return;
  }
  // Overlapping buffers: take the destination's adjoints out first.
  FunctionCallee Malloc =
      M.getOrInsertFunction("malloc", B.getPtrTy(), B.getInt64Ty());
  Value *Saved = B.CreateCall(Malloc, {Size}, "copy.adjoint");
  B.CreateMemCpy(Saved, MaybeAlign(), DstShadow, MaybeAlign(), Size);
  B.CreateMemSet(DstShadow, B.getInt8(0), Size, MaybeAlign());
  B.CreateCall(&Adjoint, {Saved, SrcShadow, Size});
  FunctionCallee Free =
      M.getOrInsertFunction("free", B.getVoidTy(), B.getPtrTy());
  B.CreateCall(Free, {Saved});
}

void emitPointerShadowCopy(IRBuilderBase &B, Type *Elem, Value *DstShadow,
                           Value *SrcShadow, Value *Size) {
  Module &M = *B.GetInsertBlock()->getModule();
  B.CreateCall(
      &elementLoop(M, "copy.pointers", Elem, emitElementPointerCopy),
      {DstShadow, SrcShadow, B.CreateZExtOrTrunc(Size, B.getInt64Ty())});
}

void emitTypedCopy(IRBuilderBase &B, Type *Elem, Value *Dst, Value *Src,
                   Value *Size) {
  Module &M = *B.GetInsertBlock()->getModule();
  B.CreateCall(&elementLoop(M, "copy", Elem, emitElementCopy),
               {Dst, Src, B.CreateZExtOrTrunc(Size, B.getInt64Ty())});
}

/// The address space of CUDA's `__shared__` memory in NVPTX.
static constexpr unsigned SharedAddressSpace = 3;

bool isSharedArray(const Value &Object) {
  const auto *GV = dyn_cast<GlobalVariable>(&Object);
  return GV && GV->getAddressSpace() == SharedAddressSpace && GV->getParent() &&
         GV->getParent()->getTargetTriple().isNVPTX();
}

/// Shadow \p Lane of the dynamic shared memory behind \p Address: the
/// launch provides \p Copies + 1 times the primal's bytes, and shadow k
/// starts k + 1 primal sizes in.
static Value *dynamicSharedShadow(Function &Into, Constant *Address,
                                  unsigned Lane, unsigned Copies) {
  using namespace PatternMatch;
  for (Instruction &I : Into.getEntryBlock())
    if (auto *GEP = dyn_cast<GetElementPtrInst>(&I);
        GEP && GEP->getPointerOperand() == Address &&
        GEP->getNumIndices() == 1 &&
        match(GEP->getOperand(1),
              m_ZExt(m_Mul(
                  m_UDiv(m_Intrinsic<
                             Intrinsic::nvvm_read_ptx_sreg_dynamic_smem_size>(),
                         m_SpecificInt(Copies + 1)),
                  m_SpecificInt(Lane + 1)))))
      return GEP;
  IRBuilder<> B(&*Into.getEntryBlock().getFirstInsertionPt());
  Value *Bytes =
      B.CreateIntrinsic(Intrinsic::nvvm_read_ptx_sreg_dynamic_smem_size, {});
  Value *Part = B.CreateUDiv(Bytes, B.getInt32(Copies + 1));
  Value *Offset = B.CreateMul(Part, B.getInt32(Lane + 1));
  return B.CreateGEP(B.getInt8Ty(), Address,
                     B.CreateZExt(Offset, B.getInt64Ty()),
                     "dynamic.shared.shadow");
}

/// The shadow of global \p GV: for a static shared array, shadow \p Lane
/// is another such array; any other global holds no derivative, and its
/// shadow is a zeroed sink of the same size (one that forward mode reads
/// zero tangents from and one that reverse mode adds adjoints to), so that a
/// pointer which may address it or active memory has a shadow either way.
static GlobalVariable *globalShadow(GlobalVariable &GV, DiffMode Mode,
                                    unsigned Lane) {
  Module &M = *GV.getParent();
  bool Shared = isSharedArray(GV);
  std::string Name = (GV.getName() + ".shadow").str();
  if (Shared && Lane)
    Name += "." + std::to_string(Lane);
  if (!Shared)
    Name += Mode == DiffMode::Forward ? ".tangents" : ".adjoints";
  if (GlobalVariable *Shadow = M.getNamedGlobal(Name))
    return Shadow;
  Type *Ty = GV.getValueType();
  auto *Shadow = new GlobalVariable(
      M, Ty, /*isConstant=*/false, GlobalValue::InternalLinkage,
      Shared ? UndefValue::get(Ty) : Constant::getNullValue(Ty), Name, nullptr,
      GlobalValue::NotThreadLocal, GV.getAddressSpace());
  Shadow->setAlignment(GV.getAlign());
  return Shadow;
}

/// \p Address, a constant address inside a global, moved into the global's
/// shadow; null for other constants.
static Constant *staticShadow(Constant *Address, DiffMode Mode, unsigned Lane) {
  if (auto *GV = dyn_cast<GlobalVariable>(Address))
    return globalShadow(*GV, Mode, Lane);
  auto *Expr = dyn_cast<ConstantExpr>(Address);
  if (!Expr || !isa<GlobalVariable>(getUnderlyingObject(Expr)))
    return nullptr;
  SmallVector<Constant *, 4> Operands;
  for (Use &Op : Expr->operands()) {
    auto *Operand = cast<Constant>(Op.get());
    Constant *Moved = Operand->getType()->isPointerTy()
                          ? staticShadow(Operand, Mode, Lane)
                          : Operand;
    Operands.push_back(Moved ? Moved : Operand);
  }
  return Expr->getWithOperands(Operands);
}

Value *constantShadow(Function &Into, Constant *Address, DiffMode Mode,
                      unsigned Lane, unsigned Copies) {
  if (isa<ConstantPointerNull, UndefValue>(Address))
    return Address;
  const auto *GV = dyn_cast<GlobalVariable>(getUnderlyingObject(Address));
  if (GV && isSharedArray(*GV) && !GV->hasInitializer())
    return dynamicSharedShadow(Into, Address, Lane, Copies);
  return staticShadow(Address, Mode, Lane);
}

} // namespace fluxion
