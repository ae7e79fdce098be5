//===- Tape.cpp - Memory that carries values from the forward to the reverse
// sweep ===//

#include "Tape.h"

#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/MDBuilder.h"
#include "llvm/IR/Module.h"

using namespace llvm;

namespace fluxion {

void tagTapeAccess(Instruction &Access) {
  Type *Ty = getLoadStoreType(&Access);
  StringRef Name;
  if (Ty->isDoubleTy())
    Name = "double";
  else if (Ty->isFloatTy())
    Name = "float";
  else if (Ty->isPointerTy())
    Name = "any pointer";
  else if (Ty->isIntegerTy())
    Name = "fluxion tape integer";
  else
    return;
  MDBuilder MDB(Access.getContext());
  MDNode *Scalar =
      MDB.createTBAAScalarTypeNode(Name, MDB.createTBAARoot("fluxion tape"));
  Access.setMetadata(LLVMContext::MD_tbaa,
                     MDB.createTBAAStructTagNode(Scalar, Scalar, 0));
}

TapeLayout::TapeLayout(bool DeviceCode) : DeviceCode(DeviceCode) {
  if (DeviceCode)
    addField(8, Align(8));
}

unsigned TapeLayout::addField(uint64_t Size, Align Alignment) {
  Fields.push_back({Size, Alignment, {}});
  return Fields.size() - 1;
}

Value *TapeLayout::fieldAddress(IRBuilderBase &B, Value *Tape, unsigned Field) {
  // The offset is patched by finalize(); the instruction is created directly
  // so that the builder cannot fold the placeholder offset away.
  Value *Offset = B.getInt64(0);
  auto *GEP = GetElementPtrInst::Create(
      B.getInt8Ty(), Tape, ArrayRef<Value *>(Offset), Twine("tape.field"));
  B.Insert(GEP);
  Fields[Field].Addresses.push_back(GEP);
  return GEP;
}

uint64_t TapeLayout::finalize() {
  uint64_t Offset = 0;
  for (Field &F : Fields) {
    Offset = alignTo(Offset, F.Alignment);
    for (GetElementPtrInst *GEP : F.Addresses)
      GEP->setOperand(1,
                      ConstantInt::get(GEP->getOperand(1)->getType(), Offset));
    Offset += F.Size;
  }
  return alignTo(std::max<uint64_t>(Offset, 1), MaxAlign);
}

namespace {
Value *countAddress(IRBuilderBase &B, Value *Header) {
  return B.CreateConstInBoundsGEP1_64(B.getInt8Ty(), Header, 8, "tape.count");
}
Value *capacityAddress(IRBuilderBase &B, Value *Header) {
  return B.CreateConstInBoundsGEP1_64(B.getInt8Ty(), Header, 16,
                                      "tape.capacity");
}
Value *heapOwnedAddress(IRBuilderBase &B, Value *Header) {
  return B.CreateConstInBoundsGEP1_64(B.getInt8Ty(), Header, 24,
                                      "tape.heap.owned");
}
/// {null, 0, 0}: a stack without a buffer.
void storeEmptyHeader(IRBuilderBase &B, Value *Header) {
  B.CreateStore(Constant::getNullValue(B.getPtrTy()), Header);
  B.CreateStore(B.getInt64(0), countAddress(B, Header));
  B.CreateStore(B.getInt64(0), capacityAddress(B, Header));
}
/// The buffer of \p Header if the stack owns it on the heap, else null
/// (free ignores null).
Value *heapBuffer(IRBuilderBase &B, Value *Header, Value *Buffer) {
  Value *Owned = B.CreateLoad(B.getInt64Ty(), heapOwnedAddress(B, Header));
  return B.CreateSelect(B.CreateICmpNE(Owned, B.getInt64(0)), Buffer,
                        Constant::getNullValue(Buffer->getType()));
}
} // namespace

TapeStackOps::TapeStackOps(Module &M)
    : M(M), DeviceCode(M.getTargetTriple().isNVPTX()) {}

GlobalVariable *TapeStackOps::keptBuffer(const Twine &Name) {
  if (DeviceCode)
    return nullptr;
  LLVMContext &Ctx = M.getContext();
  // {buffer, bytes, whether the thread frees it when it exits}
  auto *Ty = StructType::get(PointerType::getUnqual(Ctx), Type::getInt64Ty(Ctx),
                             Type::getInt64Ty(Ctx));
  return new GlobalVariable(M, Ty, /*isConstant=*/false,
                            GlobalValue::InternalLinkage,
                            Constant::getNullValue(Ty), Name, nullptr,
                            GlobalValue::GeneralDynamicTLSModel);
}

void TapeStackOps::init(IRBuilderBase &B, Value *Header, GlobalVariable *Kept,
                        uint64_t ElemSize) {
  if (Kept) {
    B.CreateCall(&takeFunction(), {Header, Kept, B.getInt64(ElemSize)});
    return;
  }
  storeEmptyHeader(B, Header);
  if (DeviceCode)
    B.CreateStore(B.getInt64(0), heapOwnedAddress(B, Header));
}

namespace {
/// A helper function of the tape, (ptr header, \p Middle, i64) -> void,
/// created once per module; \p Build fills in its body.
Function &
tapeHelper(Module &M, StringRef Name, Type *Middle,
           function_ref<void(Function &, Value *, Value *, Value *)> Build) {
  if (Function *F = M.getFunction(Name))
    return *F;
  LLVMContext &Ctx = M.getContext();
  Type *PtrTy = PointerType::getUnqual(Ctx);
  Type *I64 = Type::getInt64Ty(Ctx);
  auto *F = Function::Create(
      FunctionType::get(Type::getVoidTy(Ctx), {PtrTy, Middle, I64}, false),
      GlobalValue::InternalLinkage, Name, M);
  F->addFnAttr(Attribute::NoUnwind);
  F->addFnAttr(Attribute::AlwaysInline);
  Build(*F, F->getArg(0), F->getArg(1), F->getArg(2));
  return *F;
}
} // namespace

void TapeStackOps::forgetKeptBuffers(Function &F) {
  Module &M = *F.getParent();
  Function *Take = M.getFunction("fluxion.tape.take");
  Function *Keep = M.getFunction("fluxion.tape.keep");
  SmallVector<CallInst *, 8> Calls;
  for (Instruction &I : instructions(F))
    if (auto *Call = dyn_cast<CallInst>(&I);
        Call && Call->getCalledFunction() &&
        (Call->getCalledFunction() == Take ||
         Call->getCalledFunction() == Keep))
      Calls.push_back(Call);
  for (CallInst *Call : Calls) {
    IRBuilder<> B(Call);
    Value *Header = Call->getArgOperand(0);
    if (Call->getCalledFunction() == Take) {
      storeEmptyHeader(B, Header);
    } else {
      B.CreateCall(M.getOrInsertFunction("free", B.getVoidTy(), B.getPtrTy()),
                   {B.CreateLoad(B.getPtrTy(), Header)});
    }
    Call->eraseFromParent();
  }
}

/// fluxion.tape.take(header, kept, elemSize): an empty stack whose room is
/// the buffer kept from an earlier activation (none: null, 0).
Function &TapeStackOps::takeFunction() {
  return tapeHelper(
      M, "fluxion.tape.take", PointerType::getUnqual(M.getContext()),
      [](Function &F, Value *Header, Value *Kept, Value *ElemSize) {
        IRBuilder<> B(BasicBlock::Create(F.getContext(), "entry", &F));
        Value *KeptBytes = B.CreateConstInBoundsGEP1_64(B.getInt8Ty(), Kept, 8);
        B.CreateStore(B.CreateLoad(B.getPtrTy(), Kept), Header);
        B.CreateStore(B.getInt64(0), countAddress(B, Header));
        B.CreateStore(
            B.CreateUDiv(B.CreateLoad(B.getInt64Ty(), KeptBytes), ElemSize),
            capacityAddress(B, Header));
        B.CreateStore(Constant::getNullValue(B.getPtrTy()), Kept);
        B.CreateStore(B.getInt64(0), KeptBytes);
        B.CreateRetVoid();
      });
}

/// fluxion.tape.keep(header, kept, elemSize): the buffer of a stack done
/// with, kept for the next activation if it is the larger, else freed.
Function &TapeStackOps::keepFunction() {
  return tapeHelper(
      M, "fluxion.tape.keep", PointerType::getUnqual(M.getContext()),
      [this](Function &F, Value *Header, Value *Kept, Value *ElemSize) {
        LLVMContext &Ctx = F.getContext();
        auto *Entry = BasicBlock::Create(Ctx, "entry", &F);
        auto *Swap = BasicBlock::Create(Ctx, "swap", &F);
        auto *Done = BasicBlock::Create(Ctx, "done", &F);
        IRBuilder<> B(Entry);
        FunctionCallee Free =
            M.getOrInsertFunction("free", B.getVoidTy(), B.getPtrTy());
        Value *KeptBytes = B.CreateConstInBoundsGEP1_64(B.getInt8Ty(), Kept, 8);
        Value *Buffer = B.CreateLoad(B.getPtrTy(), Header, "buffer");
        Value *Bytes = B.CreateMul(
            B.CreateLoad(B.getInt64Ty(), capacityAddress(B, Header)), ElemSize,
            "bytes");
        Value *Larger = B.CreateICmpUGT(
            Bytes, B.CreateLoad(B.getInt64Ty(), KeptBytes), "larger");
        B.CreateCondBr(Larger, Swap, Done);

        B.SetInsertPoint(Swap);
        B.CreateCall(Free, {B.CreateLoad(B.getPtrTy(), Kept)});
        B.CreateStore(Buffer, Kept);
        B.CreateStore(Bytes, KeptBytes);
        freeAtThreadExit(B, Kept);
        B.CreateRetVoid();

        B.SetInsertPoint(Done);
        B.CreateCall(Free, {Buffer});
        B.CreateRetVoid();
      });
}

/// Registers, once per thread and slot, a destructor that frees the
/// buffer kept in \p Kept when the thread exits (the main thread's at
/// exit, before leak checkers look): glibc's __cxa_thread_atexit_impl, as
/// C++ thread_local objects use. Where the C library lacks it, the buffer
/// stays allocated.
void TapeStackOps::freeAtThreadExit(IRBuilderBase &B, Value *Kept) {
  LLVMContext &Ctx = M.getContext();
  Type *PtrTy = PointerType::getUnqual(Ctx);
  Function *Register = M.getFunction("__cxa_thread_atexit_impl");
  if (!Register)
    Register = Function::Create(
        FunctionType::get(B.getInt32Ty(), {PtrTy, PtrTy, PtrTy}, false),
        GlobalValue::ExternalWeakLinkage, "__cxa_thread_atexit_impl", M);
  GlobalVariable *Handle = M.getNamedGlobal("__dso_handle");
  if (!Handle) {
    Handle = new GlobalVariable(M, B.getInt8Ty(), /*isConstant=*/false,
                                GlobalValue::ExternalLinkage, nullptr,
                                "__dso_handle");
    Handle->setVisibility(GlobalValue::HiddenVisibility);
  }
  Function *Release = M.getFunction("fluxion.tape.free.kept");
  if (!Release) {
    Release = Function::Create(FunctionType::get(B.getVoidTy(), {PtrTy}, false),
                               GlobalValue::InternalLinkage,
                               "fluxion.tape.free.kept", M);
    Release->addFnAttr(Attribute::NoUnwind);
    IRBuilder<> RB(BasicBlock::Create(Ctx, "entry", Release));
    Value *Slot = Release->getArg(0);
    RB.CreateCall(M.getOrInsertFunction("free", RB.getVoidTy(), PtrTy),
                  {RB.CreateLoad(PtrTy, Slot)});
    RB.CreateStore(Constant::getNullValue(PtrTy), Slot);
    RB.CreateStore(RB.getInt64(0),
                   RB.CreateConstInBoundsGEP1_64(RB.getInt8Ty(), Slot, 8));
    RB.CreateRetVoid();
  }
  Function *F = B.GetInsertBlock()->getParent();
  auto *Check = BasicBlock::Create(Ctx, "register.check", F);
  auto *Call = BasicBlock::Create(Ctx, "register", F);
  auto *Done = BasicBlock::Create(Ctx, "registered", F);
  Value *RegisteredAddress =
      B.CreateConstInBoundsGEP1_64(B.getInt8Ty(), Kept, 16);
  Value *Registered = B.CreateLoad(B.getInt64Ty(), RegisteredAddress);
  B.CreateCondBr(B.CreateICmpNE(Registered, B.getInt64(0)), Done, Check);

  B.SetInsertPoint(Check);
  B.CreateCondBr(B.CreateIsNull(Register), Done, Call);

  B.SetInsertPoint(Call);
  B.CreateCall(Register, {Release, Kept, Handle});
  B.CreateStore(B.getInt64(1), RegisteredAddress);
  B.CreateBr(Done);

  B.SetInsertPoint(Done);
}

/// fluxion.tape.ensure(header, elements, elemSize): room for \p elements
/// in an empty host stack, from the heap when what it has is smaller.
Function &TapeStackOps::ensureFunction() {
  return tapeHelper(
      M, "fluxion.tape.ensure", Type::getInt64Ty(M.getContext()),
      [this](Function &F, Value *Header, Value *Elements, Value *ElemSize) {
        LLVMContext &Ctx = F.getContext();
        auto *Entry = BasicBlock::Create(Ctx, "entry", &F);
        auto *Grow = BasicBlock::Create(Ctx, "grow", &F);
        auto *Done = BasicBlock::Create(Ctx, "done", &F);
        IRBuilder<> B(Entry);
        Value *CapacityPtr = capacityAddress(B, Header);
        Value *Capacity = B.CreateLoad(B.getInt64Ty(), CapacityPtr);
        B.CreateCondBr(B.CreateICmpULT(Capacity, Elements), Grow, Done);

        B.SetInsertPoint(Grow);
        // Empty, so nothing to copy: free and allocate rather than realloc.
        B.CreateCall(M.getOrInsertFunction("free", B.getVoidTy(), B.getPtrTy()),
                     {B.CreateLoad(B.getPtrTy(), Header)});
        B.CreateStore(
            allocate(B, B.CreateMul(Elements, ElemSize), "tape.reserved"),
            Header);
        B.CreateStore(Elements, CapacityPtr);
        B.CreateRetVoid();

        B.SetInsertPoint(Done);
        B.CreateRetVoid();
      });
}

Value *TapeStackOps::arenaBytes(IRBuilderBase &B, Value *Bytes) {
  uint64_t Mask = TapeLayout::MaxAlign.value() - 1;
  return B.CreateAnd(B.CreateAdd(Bytes, B.getInt64(Mask)), B.getInt64(~Mask));
}

void TapeStackOps::storeArena(IRBuilderBase &B, Value *Tape, Value *Arena) {
  B.CreateStore(Arena, Tape);
}

Value *TapeStackOps::loadArena(IRBuilderBase &B, Value *Tape) {
  return B.CreateLoad(B.getPtrTy(), Tape, "tape.arena");
}

/// fluxion.tape.allocate(old, bytes): realloc on the host, malloc in GPU
/// code (old is then null); a tape that does not fit in memory ends the
/// program with a message rather than a write through null.
Function &TapeStackOps::allocateFunction() {
  constexpr StringLiteral Name = "fluxion.tape.allocate";
  if (Function *F = M.getFunction(Name))
    return *F;
  LLVMContext &Ctx = M.getContext();
  Type *PtrTy = PointerType::getUnqual(Ctx);
  Type *I64 = Type::getInt64Ty(Ctx);
  auto *F = Function::Create(FunctionType::get(PtrTy, {PtrTy, I64}, false),
                             GlobalValue::InternalLinkage, Name, M);
  F->addFnAttr(Attribute::NoUnwind);
  Value *Old = F->getArg(0), *Bytes = F->getArg(1);
  auto *Entry = BasicBlock::Create(Ctx, "entry", F);
  auto *Exhausted = BasicBlock::Create(Ctx, "exhausted", F);
  auto *Done = BasicBlock::Create(Ctx, "done", F);

  IRBuilder<> B(Entry);
  Value *Memory =
      DeviceCode
          ? B.CreateCall(M.getOrInsertFunction("malloc", PtrTy, I64), {Bytes})
          : B.CreateCall(M.getOrInsertFunction("realloc", PtrTy, PtrTy, I64),
                         {Old, Bytes});
  Value *Failed =
      B.CreateAnd(B.CreateIsNull(Memory), B.CreateICmpNE(Bytes, B.getInt64(0)));
  B.CreateCondBr(Failed, Exhausted, Done);

  B.SetInsertPoint(Exhausted);
  if (DeviceCode) {
    B.CreateIntrinsic(Intrinsic::trap, {});
  } else {
    Value *Message = B.CreateGlobalString(
        "fluxion: out of memory: cannot allocate %llu bytes of reverse-mode "
        "tape\n",
        "fluxion.tape.exhausted");
    B.CreateCall(M.getOrInsertFunction(
                     "dprintf",
                     FunctionType::get(B.getInt32Ty(), {B.getInt32Ty(), PtrTy},
                                       /*isVarArg=*/true)),
                 {B.getInt32(2), Message, Bytes});
    B.CreateCall(M.getOrInsertFunction("abort", B.getVoidTy()));
  }
  B.CreateUnreachable();

  B.SetInsertPoint(Done);
  B.CreateRet(Memory);
  return *F;
}

Value *TapeStackOps::allocate(IRBuilderBase &B, Value *Bytes,
                              const Twine &Name) {
  return B.CreateCall(&allocateFunction(),
                      {Constant::getNullValue(B.getPtrTy()), Bytes}, Name);
}

/// fluxion.tape.reserve(header, arena, bytes): the buffer of an empty stack
/// from the arena when it has the room, else from the heap.
Function &TapeStackOps::reserveFunction() {
  return tapeHelper(
      M, "fluxion.tape.reserve", PointerType::getUnqual(M.getContext()),
      [this](Function &F, Value *Header, Value *Arena, Value *Bytes) {
        LLVMContext &Ctx = F.getContext();
        auto *Entry = BasicBlock::Create(Ctx, "entry", &F);
        auto *TryArena = BasicBlock::Create(Ctx, "try.arena", &F);
        auto *FromArena = BasicBlock::Create(Ctx, "from.arena", &F);
        auto *FromHeap = BasicBlock::Create(Ctx, "from.heap", &F);

        IRBuilder<> B(Entry);
        B.CreateCondBr(B.CreateIsNull(Arena), FromHeap, TryArena);

        B.SetInsertPoint(TryArena);
        Value *Next = B.CreateLoad(B.getPtrTy(), Arena, "arena.next");
        Value *EndAddress =
            B.CreateConstInBoundsGEP1_64(B.getInt8Ty(), Arena, 8);
        Value *End = B.CreateLoad(B.getPtrTy(), EndAddress, "arena.end");
        Value *Taken = arenaBytes(B, Bytes);
        Value *EndInt = B.CreatePtrToInt(End, B.getInt64Ty());
        Value *NextInt = B.CreatePtrToInt(Next, B.getInt64Ty());
        Value *Room = B.CreateSub(EndInt, NextInt, "arena.room");
        B.CreateCondBr(B.CreateICmpUGE(Room, Taken), FromArena, FromHeap);

        B.SetInsertPoint(FromArena);
        B.CreateStore(B.CreateGEP(B.getInt8Ty(), Next, Taken), Arena);
        B.CreateStore(Next, Header);
        B.CreateRetVoid();

        B.SetInsertPoint(FromHeap);
        B.CreateStore(allocate(B, Bytes, "tape.reserved"), Header);
        B.CreateStore(B.getInt64(1), heapOwnedAddress(B, Header));
        B.CreateRetVoid();
      });
}

void TapeStackOps::reserve(IRBuilderBase &B, Value *Header, Value *Arena,
                           Value *Elements, uint64_t ElemSize) {
  if (!DeviceCode) {
    B.CreateCall(&ensureFunction(), {Header, Elements, B.getInt64(ElemSize)});
    return;
  }
  Value *Bytes = B.CreateMul(Elements, B.getInt64(ElemSize));
  B.CreateCall(&reserveFunction(), {Header, Arena, Bytes});
  B.CreateStore(Elements, capacityAddress(B, Header));
}

Function &TapeStackOps::pushFunction() {
  constexpr StringLiteral Name = "fluxion.tape.push";
  if (Function *F = M.getFunction(Name))
    return *F;
  LLVMContext &Ctx = M.getContext();
  Type *PtrTy = PointerType::getUnqual(Ctx);
  Type *I64 = Type::getInt64Ty(Ctx);
  auto *F = Function::Create(FunctionType::get(PtrTy, {PtrTy, I64}, false),
                             GlobalValue::InternalLinkage, Name, M);
  F->addFnAttr(Attribute::NoUnwind);
  F->addFnAttr(Attribute::AlwaysInline);
  Value *Header = F->getArg(0);
  Value *ElemSize = F->getArg(1);
  auto *Entry = BasicBlock::Create(Ctx, "entry", F);
  auto *Grow = BasicBlock::Create(Ctx, "grow", F);
  auto *Store = BasicBlock::Create(Ctx, "store", F);

  IRBuilder<> B(Entry);
  Value *Buffer = B.CreateLoad(PtrTy, Header, "buffer");
  Value *CountPtr = countAddress(B, Header);
  Value *CapacityPtr = capacityAddress(B, Header);
  Value *Count = B.CreateLoad(I64, CountPtr, "count");
  Value *Capacity = B.CreateLoad(I64, CapacityPtr, "capacity");
  Value *Full = B.CreateICmpEQ(Count, Capacity, "full");
  B.CreateCondBr(Full, Grow, Store);

  B.SetInsertPoint(Grow);
  Value *IsEmpty = B.CreateICmpEQ(Capacity, B.getInt64(0));
  Value *NewCapacity = B.CreateSelect(IsEmpty, B.getInt64(16),
                                      B.CreateShl(Capacity, 1), "new.capacity");
  Value *NewBytes = B.CreateMul(NewCapacity, ElemSize);
  Value *NewBuffer;
  if (DeviceCode) {
    // CUDA's device runtime has malloc and free but no realloc; a buffer
    // from the arena stays there.
    FunctionCallee Free = M.getOrInsertFunction("free", B.getVoidTy(), PtrTy);
    NewBuffer = allocate(B, NewBytes, "new.buffer");
    B.CreateMemCpy(NewBuffer, MaybeAlign(), Buffer, MaybeAlign(),
                   B.CreateMul(Count, ElemSize));
    B.CreateCall(Free, {heapBuffer(B, Header, Buffer)});
    B.CreateStore(B.getInt64(1), heapOwnedAddress(B, Header));
  } else {
    NewBuffer =
        B.CreateCall(&allocateFunction(), {Buffer, NewBytes}, "new.buffer");
  }
  B.CreateStore(NewBuffer, Header);
  B.CreateStore(NewCapacity, CapacityPtr);
  B.CreateBr(Store);

  B.SetInsertPoint(Store);
  PHINode *Current = B.CreatePHI(PtrTy, 2, "current");
  Current->addIncoming(Buffer, Entry);
  Current->addIncoming(NewBuffer, Grow);
  Value *Slot =
      B.CreateGEP(B.getInt8Ty(), Current, B.CreateMul(Count, ElemSize), "slot");
  B.CreateStore(B.CreateAdd(Count, B.getInt64(1)), CountPtr);
  B.CreateRet(Slot);
  return *F;
}

Value *TapeStackOps::push(IRBuilderBase &B, Value *Header, uint64_t ElemSize) {
  return B.CreateCall(&pushFunction(), {Header, B.getInt64(ElemSize)},
                      "tape.slot");
}

Value *TapeStackOps::top(IRBuilderBase &B, Value *Header, uint64_t ElemSize) {
  Value *Buffer = B.CreateLoad(B.getPtrTy(), Header, "tape.buffer");
  Value *Count = B.CreateLoad(B.getInt64Ty(), countAddress(B, Header));
  Value *Last = B.CreateSub(Count, B.getInt64(1));
  return B.CreateGEP(B.getInt8Ty(), Buffer,
                     B.CreateMul(Last, B.getInt64(ElemSize)), "tape.top");
}

void TapeStackOps::pop(IRBuilderBase &B, Value *Header) {
  Value *CountPtr = countAddress(B, Header);
  Value *Count = B.CreateLoad(B.getInt64Ty(), CountPtr);
  B.CreateStore(B.CreateSub(Count, B.getInt64(1)), CountPtr);
}

void TapeStackOps::release(IRBuilderBase &B, Value *Header,
                           GlobalVariable *Kept, uint64_t ElemSize) {
  if (Kept) {
    B.CreateCall(&keepFunction(), {Header, Kept, B.getInt64(ElemSize)});
    return;
  }
  FunctionCallee Free =
      M.getOrInsertFunction("free", B.getVoidTy(), B.getPtrTy());
  Value *Buffer = B.CreateLoad(B.getPtrTy(), Header, "tape.buffer");
  B.CreateCall(Free, {DeviceCode ? heapBuffer(B, Header, Buffer) : Buffer});
}

} // namespace fluxion
