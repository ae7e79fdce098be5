//===- DerivativeRecords.cpp - Derivatives of calls through pointers ------===//

#include "DerivativeRecords.h"
#include "Diagnostics.h"

#include "ActivityAnalysis.h"
#include "BuiltinCall.h"

#include "llvm/Demangle/Demangle.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Module.h"

using namespace llvm;

namespace fluxion {

FunctionType *recordEntryType(FunctionType *Fn, RecordEntry Entry) {
  LLVMContext &Ctx = Fn->getContext();
  Type *Ptr = PointerType::getUnqual(Ctx);
  bool Forward = Entry == RecordEntry::Forward;
  SmallVector<Type *, 8> Params;
  SmallVector<Type *, 4> Adjoints;
  for (Type *Param : Fn->params()) {
    Params.push_back(Param);
    if (Param->isPointerTy() || (Forward && isDifferentiableType(Param)))
      Params.push_back(Param);
    else if (isDifferentiableType(Param))
      Adjoints.push_back(Param);
  }
  Type *Result = Fn->getReturnType();
  switch (Entry) {
  case RecordEntry::Augmented:
    return FunctionType::get(
        Result->isVoidTy() ? Ptr : StructType::get(Ctx, {Ptr, Result}), Params,
        /*isVarArg=*/false);
  case RecordEntry::Forward:
    return FunctionType::get(isDifferentiableType(Result)
                                 ? StructType::get(Ctx, {Result, Result})
                                 : Result,
                             Params, /*isVarArg=*/false);
  case RecordEntry::Reverse:
    break;
  }
  if (isDifferentiableType(Result))
    Params.push_back(Result);
  Params.push_back(Ptr);
  Type *Returned = Adjoints.empty()       ? Type::getVoidTy(Ctx)
                   : Adjoints.size() == 1 ? Adjoints.front()
                                          : StructType::get(Ctx, Adjoints);
  return FunctionType::get(Returned, Params, /*isVarArg=*/false);
}

namespace {

constexpr RecordEntry RecordEntries[] = {
    RecordEntry::Augmented, RecordEntry::Reverse, RecordEntry::Forward};

StringRef entryName(RecordEntry Entry) {
  switch (Entry) {
  case RecordEntry::Augmented:
    return "augmented";
  case RecordEntry::Reverse:
    return "reverse";
  case RecordEntry::Forward:
    return "forward";
  }
  llvm_unreachable("unknown record entry");
}

Error failure(const Twine &Msg) {
  return make_error<StringError>(Msg, inconvertibleErrorCode());
}

/// A constant record of \p Entries, as global \p Name.
GlobalVariable *recordGlobal(Module &M, ArrayRef<Constant *> Entries,
                             const Twine &Name) {
  auto *Ty =
      ArrayType::get(PointerType::getUnqual(M.getContext()), Entries.size());
  return new GlobalVariable(M, Ty, /*isConstant=*/true,
                            GlobalValue::InternalLinkage,
                            ConstantArray::get(Ty, Entries), Name);
}

/// A record for functions of type \p Fn whose entries print \p Message and
/// stop the program, as global \p Name.
Constant *failingRecord(Module &M, FunctionType *Fn, const Twine &Message,
                        const Twine &Name) {
  std::string GlobalName = Name.str();
  if (GlobalVariable *Known = M.getNamedGlobal(GlobalName))
    return Known;
  LLVMContext &Ctx = M.getContext();
  Type *Ptr = PointerType::getUnqual(Ctx);
  FunctionCallee Puts = M.getOrInsertFunction(
      "puts", FunctionType::get(Type::getInt32Ty(Ctx), {Ptr}, false));
  FunctionCallee Abort = M.getOrInsertFunction(
      "abort", FunctionType::get(Type::getVoidTy(Ctx), false));
  Constant *Text = nullptr;
  SmallVector<Constant *, 3> Entries;
  for (RecordEntry Entry : RecordEntries) {
    Function *Stub = Function::Create(recordEntryType(Fn, Entry),
                                      GlobalValue::InternalLinkage,
                                      GlobalName + "." + entryName(Entry), M);
    IRBuilder<> B(BasicBlock::Create(Ctx, "", Stub));
    if (!Text)
      Text = B.CreateGlobalString(Message.str());
    B.CreateCall(Puts, Text);
    B.CreateCall(Abort)->setDoesNotReturn();
    B.CreateUnreachable();
    Entries.push_back(Stub);
  }
  return recordGlobal(M, Entries, GlobalName);
}

/// Builds the records of functions: each entry is a function that calls
/// the split-mode builtin for its target, lowered like the user's own.
class RecordBuilder {
public:
  RecordBuilder(CallBase &Request, Synthesizer &S)
      : Request(Request), S(S), M(*Request.getModule()) {}

  Expected<Constant *> recordOf(Function &F);
  Expected<Constant *> shadowTableOf(GlobalVariable &Table);

private:
  Expected<Function *> entry(Function &F, RecordEntry Entry);
  Constant *unavailableRecord(Function &F, StringRef Why);
  Expected<Constant *> shadowSlots(Constant *Slots);

  CallBase &Request;
  Synthesizer &S;
  Module &M;
};

Expected<Function *> RecordBuilder::entry(Function &F, RecordEntry Entry) {
  FunctionType *Ty = recordEntryType(F.getFunctionType(), Entry);
  Function *W = Function::Create(
      Ty, GlobalValue::InternalLinkage,
      "fluxion.record." + entryName(Entry) + "." + F.getName(), M);
  IRBuilder<> B(BasicBlock::Create(M.getContext(), "", W));
  SmallVector<Value *, 8> Args{&F};
  bool Forward = Entry == RecordEntry::Forward;
  // The forward entry returns the result with its tangent.
  if (Forward && !F.getReturnType()->isVoidTy())
    Args.push_back(M.getOrInsertGlobal("enzyme_primal_return", B.getInt32Ty()));
  for (Argument &A : W->args())
    Args.push_back(&A);
  BuiltinKind Kind = Entry == RecordEntry::Augmented ? BuiltinKind::Augmented
                     : Forward                       ? BuiltinKind::Forward
                                                     : BuiltinKind::Reverse;
  StringRef BuiltinName = Entry == RecordEntry::Augmented
                              ? "__enzyme_augmentfwd.fluxion.record"
                          : Forward ? "__enzyme_fwddiff.fluxion.record"
                                    : "__enzyme_reverse.fluxion.record";
  FunctionCallee Builtin = M.getOrInsertFunction(
      BuiltinName, FunctionType::get(Ty->getReturnType(), {B.getPtrTy()},
                                     /*isVarArg=*/true));
  CallInst *Call = B.CreateCall(Builtin, Args);
  // Errors in the function point at the __enzyme_virtualreverse call.
  Call->setDebugLoc(Request.getDebugLoc());
  if (Ty->getReturnType()->isVoidTy())
    B.CreateRetVoid();
  else
    B.CreateRet(Call);
  lowerBuiltinCall(*Call, Kind, S);
  for (Instruction &I : instructions(W))
    I.setDebugLoc(DebugLoc());
  if (auto *Declaration = dyn_cast<Function>(Builtin.getCallee());
      Declaration && Declaration->use_empty())
    Declaration->eraseFromParent();
  return W;
}

Expected<Constant *> RecordBuilder::recordOf(Function &F) {
  std::string Name = ("fluxion.record." + F.getName()).str();
  if (GlobalVariable *Known = M.getNamedGlobal(Name))
    return Known;
  if (F.isDeclaration())
    return failure("cannot differentiate '" + displayName(F) +
                   "': its body is not available in this translation unit");
  if (F.isVarArg())
    return failure("cannot differentiate variadic function '" + displayName(F) +
                   "'");
  SmallVector<Constant *, 3> Entries;
  for (RecordEntry Entry : RecordEntries) {
    Expected<Function *> Fn = entry(F, Entry);
    if (!Fn)
      return Fn.takeError();
    Entries.push_back(*Fn);
  }
  return recordGlobal(M, Entries, Name);
}

/// A record whose entries report at run time that \p F has no derivative,
/// for reason \p Why, and stop the program: a virtual table also lists
/// methods that a derivative may never call.
Constant *RecordBuilder::unavailableRecord(Function &F, StringRef Why) {
  return failingRecord(*F.getParent(), F.getFunctionType(),
                       "fluxion: no derivative of '" + displayName(F) +
                           "' to call through a function pointer: " + Why,
                       "fluxion.record.unavailable." + F.getName());
}

/// Whether \p F is a C++ destructor.
static bool isDestructor(const Function &F) {
  // The demangler keeps pointers into the name it parses.
  std::string Mangled = F.getName().str();
  ItaniumPartialDemangler Demangler;
  if (Demangler.partialDemangle(Mangled.c_str()) || !Demangler.isCtorOrDtor())
    return false;
  size_t Size = 0;
  char *Base = Demangler.getFunctionBaseName(nullptr, &Size);
  bool Destructor = Base && Base[0] == '~';
  std::free(Base);
  return Destructor;
}

/// The shadow of the slots of a virtual table: records for the methods,
/// null for pure virtual ones, records that report an error for methods
/// without a body here and for destructors, the offsets and type
/// information as they are.
Expected<Constant *> RecordBuilder::shadowSlots(Constant *Slots) {
  if (auto *F = dyn_cast<Function>(Slots->stripPointerCasts())) {
    if (F->getName() == "__cxa_pure_virtual" ||
        F->getName() == "__cxa_deleted_virtual")
      return Constant::getNullValue(Slots->getType());
    if (F->isDeclaration())
      return unavailableRecord(*F, "its body is not in this translation "
                                   "unit");
    if (isDestructor(*F))
      return unavailableRecord(*F, "destructors have no derivative record");
    return recordOf(*F);
  }
  if (!isa<ConstantAggregate>(Slots))
    return Slots;
  SmallVector<Constant *, 8> Shadows;
  for (Use &Element : Slots->operands()) {
    Expected<Constant *> Shadow = shadowSlots(cast<Constant>(Element.get()));
    if (!Shadow)
      return Shadow.takeError();
    Shadows.push_back(*Shadow);
  }
  if (auto *ST = dyn_cast<StructType>(Slots->getType()))
    return ConstantStruct::get(ST, Shadows);
  if (auto *AT = dyn_cast<ArrayType>(Slots->getType()))
    return ConstantArray::get(AT, Shadows);
  return Slots;
}

Expected<Constant *> RecordBuilder::shadowTableOf(GlobalVariable &Table) {
  std::string Name = ("fluxion.shadow." + Table.getName()).str();
  if (GlobalVariable *Known = M.getNamedGlobal(Name))
    return Known;
  Expected<Constant *> Slots = shadowSlots(Table.getInitializer());
  if (!Slots)
    return Slots.takeError();
  auto *Shadow = new GlobalVariable(M, (*Slots)->getType(), /*isConstant=*/true,
                                    GlobalValue::InternalLinkage, *Slots, Name);
  Shadow->setAlignment(Table.getAlign());
  return Shadow;
}

/// Whether \p Table holds function pointers: a virtual table.
bool holdsFunctions(const Constant &Table) {
  if (isa<Function>(Table.stripPointerCasts()))
    return true;
  return isa<ConstantAggregate>(Table) &&
         any_of(Table.operands(), [](const Use &U) {
           return holdsFunctions(*cast<Constant>(U.get()));
         });
}

} // namespace

/// A record for functions of type \p Fn whose entries report at run time
/// that a function pointer's shadow held no record, and stop the program.
static Constant *missingRecord(Module &M, FunctionType *Fn) {
  // One record per type of call: the entries' types tell them apart.
  FunctionType *Augmented = recordEntryType(Fn, RecordEntry::Augmented);
  unsigned Count = 0;
  for (GlobalVariable &GV : M.globals()) {
    if (!GV.getName().starts_with("fluxion.record.missing."))
      continue;
    ++Count;
    auto *Entries = cast<ConstantArray>(GV.getInitializer());
    if (cast<Function>(Entries->getOperand(0))->getFunctionType() == Augmented)
      return &GV;
  }
  return failingRecord(
      M, Fn,
      "fluxion: a call through a function pointer found no derivative record "
      "in the pointer's shadow: set it (or the shadow object's virtual "
      "table) with __enzyme_virtualreverse",
      "fluxion.record.missing." + Twine(Count));
}

Value *checkedRecord(IRBuilderBase &B, Value *Shadow, Value *Callee,
                     FunctionType *Fn) {
  Value *Missing =
      B.CreateOr(B.CreateIsNull(Shadow), B.CreateICmpEQ(Shadow, Callee));
  return B.CreateSelect(Missing,
                        missingRecord(*B.GetInsertBlock()->getModule(), Fn),
                        Shadow, "record");
}

Expected<Constant *> lowerVirtualReverse(CallBase &Call, Synthesizer &S) {
  if (Call.arg_size() != 1 ||
      !Call.getArgOperand(0)->getType()->isPointerTy() ||
      !Call.getType()->isPointerTy())
    return failure("__enzyme_virtualreverse takes one argument: a function or "
                   "the virtual table of an object");
  RecordBuilder Records(Call, S);
  Value *Target = Call.getArgOperand(0)->stripPointerCasts();
  if (auto *F = dyn_cast<Function>(Target))
    return Records.recordOf(*F);
  const DataLayout &DL = Call.getDataLayout();
  APInt Offset(DL.getIndexTypeSizeInBits(Target->getType()), 0);
  auto *Table =
      dyn_cast<GlobalVariable>(Target->stripAndAccumulateConstantOffsets(
          DL, Offset, /*AllowNonInbounds=*/true));
  if (!Table || !Table->hasDefinitiveInitializer() ||
      !holdsFunctions(*Table->getInitializer()))
    return failure("the argument of __enzyme_virtualreverse must be a "
                   "function or a virtual table known at compile time");
  Expected<Constant *> Shadow = Records.shadowTableOf(*Table);
  if (!Shadow)
    return Shadow.takeError();
  IRBuilder<> B(&Call);
  return ConstantExpr::getGetElementPtr(B.getInt8Ty(), *Shadow,
                                        B.getInt(Offset));
}

} // namespace fluxion
