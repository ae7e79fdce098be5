//===- TypeAnalysis.cpp - What kind of data memory holds ------------------===//

#include "TypeAnalysis.h"

#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Analysis/ValueTracking.h"
#include "llvm/Demangle/Demangle.h"
#include "llvm/IR/DataLayout.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Metadata.h"
#include "llvm/IR/Module.h"

#include <array>

using namespace llvm;

namespace fluxion {

/// Metadata on a copy naming the element type the source declared for it
/// (tagCopiesWithDeclaredTypes).
static constexpr StringLiteral CopiedElementKind = "fluxion.copied.element";
namespace {

/// The innermost scalar type an accessed type is made of, when it is made of
/// one kind only: [4 x double] and <2 x double> are double.
Type *scalarOf(Type *Ty) {
  while (true) {
    if (auto *AT = dyn_cast<ArrayType>(Ty))
      Ty = AT->getElementType();
    else if (auto *VT = dyn_cast<VectorType>(Ty))
      Ty = VT->getElementType();
    else
      return Ty;
  }
}

} // namespace

bool containsPointer(const Type *Ty) {
  if (Ty->isPtrOrPtrVectorTy())
    return true;
  if (const auto *ST = dyn_cast<StructType>(Ty))
    return any_of(ST->elements(), containsPointer);
  if (const auto *AT = dyn_cast<ArrayType>(Ty))
    return containsPointer(AT->getElementType());
  return false;
}

namespace {

class ElementDeduction {
public:
  Type *run(Value *Ptr);

private:
  void visitObject(Value *Object);
  void note(Type *Ty);

  SmallSetVector<Value *, 16> Pointers;
  SmallSetVector<Value *, 4> Objects;
  /// The floating, integer and pointer types the memory is accessed as; a
  /// floating type wins over integers of its size (the optimizer copies
  /// doubles as i64).
  Type *Floating = nullptr;
  Type *Integer = nullptr;
  Type *Pointer = nullptr;
  Type *Aggregate = nullptr;
  bool ScalarConflict = false;
  bool AggregateConflict = false;
};

void ElementDeduction::note(Type *Ty) {
  Ty = scalarOf(Ty);
  if (Ty->isStructTy()) {
    if (Aggregate && Aggregate != Ty)
      AggregateConflict = true;
    Aggregate = Ty;
    return;
  }
  if (Ty->isIntegerTy(8))
    return; // byte-wise access says nothing about the elements
  Type *&Kind = Ty->isFloatingPointTy() ? Floating
                : Ty->isPointerTy()     ? Pointer
                                        : Integer;
  if (Kind && Kind != Ty)
    ScalarConflict = true;
  Kind = Ty;
}

void ElementDeduction::visitObject(Value *Object) {
  if (!Objects.insert(Object))
    return;
  if (auto *AI = dyn_cast<AllocaInst>(Object))
    note(AI->getAllocatedType());
  else if (auto *GV = dyn_cast<GlobalVariable>(Object))
    note(GV->getValueType());
  // Every pointer derived from the object, and every access through them.
  Pointers.insert(Object);
  // A pointer read from memory is the same as every other read of it (at
  // -O0 each use of a field reloads it).
  if (auto *Read = dyn_cast<LoadInst>(Object))
    for (User *U : Read->getPointerOperand()->users())
      if (auto *Again = dyn_cast<LoadInst>(U);
          Again && Again->getType()->isPointerTy())
        Pointers.insert(Again);
  for (unsigned Idx = 0; Idx < Pointers.size(); ++Idx) {
    Value *P = Pointers[Idx];
    for (User *U : P->users()) {
      if (auto *GEP = dyn_cast<GetElementPtrInst>(U)) {
        if (GEP->getPointerOperand() != P)
          continue;
        if (!GEP->hasAllConstantIndices())
          note(GEP->getSourceElementType());
        Pointers.insert(GEP);
      } else if (isa<PHINode, SelectInst>(U) ||
                 (isa<CastInst>(U) && U->getType()->isPointerTy())) {
        Pointers.insert(U);
      } else if (auto *LI = dyn_cast<LoadInst>(U)) {
        note(LI->getType());
      } else if (auto *SI = dyn_cast<StoreInst>(U)) {
        if (SI->getPointerOperand() == P)
          note(SI->getValueOperand()->getType());
      } else if (auto *MT = dyn_cast<MemTransferInst>(U)) {
        // Both sides of a copy hold the same kind of data.
        Value *Other = MT->getDest() == P ? MT->getSource() : MT->getDest();
        visitObject(getUnderlyingObject(Other));
      }
    }
  }
}

Type *ElementDeduction::run(Value *Ptr) {
  visitObject(getUnderlyingObject(Ptr));
  // Memory whose floating data is all of one type is handled element by
  // element of that type, which also fits copies of part of a struct; the
  // bytes of integer fields in between carry zero adjoints. Pointer fields
  // the function never reads itself (a callee does) need the layout.
  if (Floating && !Pointer && !ScalarConflict &&
      !(Aggregate && !AggregateConflict && containsPointer(Aggregate)))
    return Floating;
  // Otherwise the struct type, seen through an alloca or an array-of-structs
  // GEP, is the layout.
  if (Aggregate)
    return AggregateConflict ? nullptr : Aggregate;
  if (ScalarConflict || (Floating && Pointer))
    return nullptr;
  return Pointer ? Pointer : Integer;
}

/// The kind of data at one place in memory, from the accesses to exactly
/// that place and from what the integers loaded from or stored there are
/// used for.
class LocationDeduction {
public:
  LocationDeduction(Value *Ptr, uint64_t Size)
      : DL(cast<Instruction>(Ptr)->getDataLayout()), Size(Size) {
    APInt Offset(DL.getIndexTypeSizeInBits(Ptr->getType()), 0);
    Base = Ptr->stripAndAccumulateConstantOffsets(DL, Offset,
                                                  /*AllowNonInbounds=*/true);
    Start = Offset.getSExtValue();
  }
  /// The \p Size bytes \p Start bytes into \p Base.
  LocationDeduction(Value *Base, int64_t Start, uint64_t Size,
                    const DataLayout &DL)
      : DL(DL), Size(Size), Base(Base), Start(Start) {}
  Type *run();

private:
  void access(Type *Ty, int64_t At, Instruction &I);
  void noteValue(Value *V, bool Loaded);
  void note(Type *Ty) {
    Type *&Kind = Ty->isFloatingPointTy() ? Floating
                  : Ty->isPointerTy()     ? Pointer
                                          : Integer;
    if (Kind && Kind != Ty)
      Conflict = true;
    Kind = Ty;
  }

  const DataLayout &DL;
  uint64_t Size;
  Value *Base = nullptr;
  int64_t Start = 0;
  Type *Floating = nullptr;
  Type *Integer = nullptr;
  Type *Pointer = nullptr;
  bool Conflict = false;
};

/// Whether \p I uses an integer as a number. Bitwise logic, shifts and
/// sign tests also serve to take floats apart (sign masks, exponent
/// fields), so they say nothing.
static bool usesAsNumber(const Instruction &I) {
  if (const auto *BO = dyn_cast<BinaryOperator>(&I))
    return !BO->isBitwiseLogicOp() && !BO->isShift();
  if (const auto *Cmp = dyn_cast<ICmpInst>(&I)) {
    const auto *C = dyn_cast<ConstantInt>(Cmp->getOperand(1));
    return !C || !(C->isZero() || C->isMinusOne());
  }
  return isa<GetElementPtrInst, SwitchInst>(I);
}

/// What an integer moved to or from the location is: the bits of a float
/// (bitcast), a pointer (inttoptr, ptrtoint), a number (arithmetic,
/// comparisons, indices), or just copied (no evidence).
void LocationDeduction::noteValue(Value *V, bool Loaded) {
  Type *Ty = V->getType();
  if (!Loaded) {
    if (auto *Cast = dyn_cast<CastInst>(V)) {
      Type *From = Cast->getSrcTy()->getScalarType();
      if ((isa<BitCastInst>(Cast) && From->isFloatingPointTy()) ||
          isa<PtrToIntInst>(Cast))
        note(From);
      else if (isa<ZExtInst, SExtInst, FPToSIInst, FPToUIInst>(Cast))
        note(Ty);
      return;
    }
    if (auto *I = dyn_cast<Instruction>(V); I && usesAsNumber(*I))
      note(Ty);
    return;
  }
  for (User *U : V->users()) {
    if (auto *Cast = dyn_cast<BitCastInst>(U)) {
      if (Cast->getDestTy()->isFPOrFPVectorTy())
        note(Cast->getDestTy()->getScalarType());
    } else if (isa<IntToPtrInst>(U)) {
      note(U->getType());
    } else if (usesAsNumber(*cast<Instruction>(U))) {
      note(Ty);
    }
  }
}

/// The name of the scalar type in the TBAA access tag of \p I ("double",
/// "long", "p1 int", ...), or "" without a tag (untyped copies, -O0).
StringRef taggedTypeName(const Instruction &I) {
  const auto *Tag =
      dyn_cast_or_null<MDNode>(I.getMetadata(LLVMContext::MD_tbaa));
  const auto *Scalar = Tag && Tag->getNumOperands() >= 2
                           ? dyn_cast<MDNode>(Tag->getOperand(1))
                           : nullptr;
  if (!Scalar)
    return "";
  // Type nodes name themselves first ({"double", parent}), or, in the
  // new struct-path format, after their parent and size.
  for (unsigned Idx : {0u, 2u})
    if (Idx < Scalar->getNumOperands())
      if (const auto *Name = dyn_cast<MDString>(Scalar->getOperand(Idx)))
        return Name->getString();
  return "";
}

/// The scalar type named by TBAA type \p Name ("double", "long", "p1 int",
/// ...), with \p Int standing for integers of unknown width; null for
/// struct types and unknown names.
Type *namedScalar(StringRef Name, LLVMContext &Ctx, Type *Int) {
  if (Name == "double")
    return Type::getDoubleTy(Ctx);
  if (Name == "float")
    return Type::getFloatTy(Ctx);
  if (Name == "any pointer" || Name.contains("pointer") ||
      (Name.size() > 2 && Name[0] == 'p' && isDigit(Name[1])))
    return PointerType::getUnqual(Ctx);
  if (Name.starts_with("_ZTS"))
    return nullptr;
  return Int;
}

/// The kind of scalar the source declared an access of \p I to be: a
/// floating type, a pointer, an integer of the access's width \p Accessed
/// (characters included), or null (no tag, or a struct type).
Type *declaredAccessType(const Instruction &I, Type *Accessed) {
  StringRef Declared = taggedTypeName(I);
  return Declared.empty() ? nullptr
                          : namedScalar(Declared, I.getContext(), Accessed);
}

/// The type a pointer-typed TBAA access tag of \p I says the pointer points
/// to: "p1 double" is a double *, "p2 ..." a pointer to pointers.
Type *pointeeOfTag(const Instruction &I) {
  StringRef Declared = taggedTypeName(I);
  if (Declared.consume_front("p1 "))
    return namedScalar(Declared, I.getContext(),
                       Type::getInt8Ty(I.getContext()));
  if (Declared.size() > 2 && Declared[0] == 'p' && isDigit(Declared[1]))
    return PointerType::getUnqual(I.getContext());
  return nullptr;
}

void LocationDeduction::access(Type *Ty, int64_t At, Instruction &I) {
  uint64_t Bytes = DL.getTypeStoreSize(Ty);
  if (At + int64_t(Bytes) <= Start || At >= Start + int64_t(Size))
    return;
  Type *Scalar = scalarOf(Ty);
  if (Scalar->isStructTy() || Scalar->isIntegerTy(8))
    return;
  if (!Scalar->isIntegerTy())
    return note(Scalar);
  if (Type *Declared = declaredAccessType(I, Scalar))
    return note(Declared);
  if (auto *LI = dyn_cast<LoadInst>(&I))
    noteValue(LI, /*Loaded=*/true);
  else if (auto *SI = dyn_cast<StoreInst>(&I))
    noteValue(SI->getValueOperand(), /*Loaded=*/false);
}

Type *LocationDeduction::run() {
  // Every pointer derived from the base at a constant offset, and every
  // access through them; phis and selects are taken as pointing to data of
  // the same layout.
  SmallVector<std::pair<Value *, int64_t>, 16> Worklist{{Base, 0}};
  SmallPtrSet<Value *, 16> Seen{Base};
  while (!Worklist.empty()) {
    auto [P, At] = Worklist.pop_back_val();
    for (User *U : P->users()) {
      auto *I = dyn_cast<Instruction>(U);
      if (!I)
        continue;
      if (auto *GEP = dyn_cast<GetElementPtrInst>(I)) {
        APInt Offset(DL.getIndexTypeSizeInBits(GEP->getType()), 0);
        if (GEP->getPointerOperand() == P &&
            GEP->accumulateConstantOffset(DL, Offset) &&
            Seen.insert(GEP).second)
          Worklist.push_back({GEP, At + Offset.getSExtValue()});
      } else if (isa<PHINode, SelectInst>(I) ||
                 (isa<CastInst>(I) && I->getType()->isPointerTy())) {
        if (Seen.insert(I).second)
          Worklist.push_back({I, At});
      } else if (auto *LI = dyn_cast<LoadInst>(I)) {
        access(LI->getType(), At, *LI);
      } else if (auto *SI = dyn_cast<StoreInst>(I);
                 SI && SI->getPointerOperand() == P) {
        access(SI->getValueOperand()->getType(), At, *SI);
      }
    }
  }
  if (Conflict ||
      (Floating ? 1 : 0) + (Integer ? 1 : 0) + (Pointer ? 1 : 0) != 1)
    return nullptr;
  return Floating ? Floating : Integer ? Integer : Pointer;
}

} // namespace

Type *deduceElementType(Value *Ptr) { return ElementDeduction().run(Ptr); }

Type *declaredPointee(Value *Ptr) {
  if (auto *LI = dyn_cast<LoadInst>(Ptr))
    if (Type *Pointee = pointeeOfTag(*LI))
      return Pointee;
  for (User *U : Ptr->users())
    if (auto *SI = dyn_cast<StoreInst>(U); SI && SI->getValueOperand() == Ptr)
      if (Type *Pointee = pointeeOfTag(*SI))
        return Pointee;
  return nullptr;
}

/// \p Ty, or the scalar it wraps: a struct or array whose first element is
/// as large as itself (Eigen's variable_if_dynamic<Index> is a long).
static Type *unwrapped(Type *Ty, const DataLayout &DL) {
  while (true) {
    Type *First = nullptr;
    if (auto *ST = dyn_cast<StructType>(Ty); ST && ST->getNumElements())
      First = ST->getElementType(0);
    else if (auto *AT = dyn_cast<ArrayType>(Ty); AT && AT->getNumElements())
      First = AT->getElementType();
    if (!First || DL.getTypeAllocSize(First) != DL.getTypeAllocSize(Ty))
      return Ty;
    Ty = First;
  }
}

/// The consecutive fields of \p ST that the \p Size bytes at \p At cover
/// exactly, as a struct of those fields laid out as in \p ST (a base class
/// subobject's members), or null.
static Type *fieldRun(StructType *ST, uint64_t At, uint64_t Size,
                      const DataLayout &DL) {
  const StructLayout *SL = DL.getStructLayout(ST);
  unsigned First = SL->getElementContainingOffset(At);
  if (SL->getElementOffset(First) != At)
    return nullptr;
  SmallVector<Type *, 8> Fields;
  for (unsigned Idx = First; Idx < ST->getNumElements(); ++Idx) {
    uint64_t Offset = SL->getElementOffset(Idx);
    if (Offset >= At + Size)
      break;
    Fields.push_back(ST->getElementType(Idx));
  }
  if (Fields.size() < 2)
    return nullptr;
  auto *Run = StructType::get(ST->getContext(), Fields);
  const StructLayout *RunLayout = DL.getStructLayout(Run);
  if (RunLayout->getSizeInBytes() != Size)
    return nullptr;
  for (unsigned Idx = 0; Idx < Fields.size(); ++Idx)
    if (RunLayout->getElementOffset(Idx) !=
        SL->getElementOffset(First + Idx) - At)
      return nullptr;
  return Run;
}

Type *declaredTypeAt(Value *Ptr, uint64_t Size) {
  if (!isa<Instruction>(Ptr))
    return nullptr;
  const DataLayout &DL = cast<Instruction>(Ptr)->getDataLayout();
  // A field address says what the field is.
  if (auto *GEP = dyn_cast<GetElementPtrInst>(Ptr))
    if (Type *Field = GEP->getResultElementType();
        Field->isSized() && DL.getTypeAllocSize(Field) == Size)
      return unwrapped(Field, DL);
  APInt Offset(DL.getIndexTypeSizeInBits(Ptr->getType()), 0);
  Value *Base =
      Ptr->stripAndAccumulateConstantOffsets(DL, Offset,
                                             /*AllowNonInbounds=*/true);
  Type *Ty = nullptr;
  if (auto *AI = dyn_cast<AllocaInst>(Base))
    Ty = AI->getAllocatedType();
  else if (auto *GV = dyn_cast<GlobalVariable>(Base))
    Ty = GV->getValueType();
  if (!Ty || Offset.isNegative())
    return nullptr;
  uint64_t At = Offset.getZExtValue();
  while (Ty) {
    if (At == 0 && DL.getTypeAllocSize(Ty) == Size)
      return unwrapped(Ty, DL);
    if (auto *ST = dyn_cast<StructType>(Ty)) {
      const StructLayout *SL = DL.getStructLayout(ST);
      if (At >= SL->getSizeInBytes())
        return nullptr;
      if (Type *Run = fieldRun(ST, At, Size, DL))
        return Run;
      unsigned Field = SL->getElementContainingOffset(At);
      At -= SL->getElementOffset(Field);
      Ty = ST->getElementType(Field);
    } else if (auto *AT = dyn_cast<ArrayType>(Ty)) {
      Type *Elem = AT->getElementType();
      uint64_t Stride = DL.getTypeAllocSize(Elem);
      if (!Stride)
        return nullptr;
      // A run of whole elements.
      if (At % Stride == 0 && Size % Stride == 0 &&
          At + Size <= DL.getTypeAllocSize(AT))
        return Elem;
      At %= Stride;
      Ty = Elem;
    } else {
      return nullptr;
    }
  }
  return nullptr;
}

/// The \p Size bytes at \p Dest and \p Source (two sides of a copy) as a
/// struct of the scalars the function accesses at each offset of either
/// side, laid out as they lie; null where an offset is not accessed as one
/// scalar kind. A copy from one part of an object to another, both reached
/// through a parameter, has no declared layout but typed neighbours.
static Type *accessedLayout(Value *Dest, Value *Source, uint64_t Size,
                            const DataLayout &DL) {
  constexpr uint64_t MaxBytes = 512;
  if (!Size || Size > MaxBytes)
    return nullptr;
  std::pair<Value *, int64_t> Sides[2];
  for (auto [Side, Ptr] : zip(Sides, std::array<Value *, 2>{Dest, Source})) {
    APInt Offset(DL.getIndexTypeSizeInBits(Ptr->getType()), 0);
    Side.first = Ptr->stripAndAccumulateConstantOffsets(
        DL, Offset, /*AllowNonInbounds=*/true);
    Side.second = Offset.getSExtValue();
  }
  SmallVector<Type *, 8> Fields;
  SmallVector<uint64_t, 8> Offsets;
  for (uint64_t At = 0; At < Size;) {
    Type *Field = nullptr;
    for (uint64_t Width : {8, 4})
      for (auto [Base, Start] : Sides)
        if (!Field && At % Width == 0 && At + Width <= Size)
          Field = LocationDeduction(Base, Start + At, Width, DL).run();
    if (!Field || !Field->isSized() || DL.getTypeStoreSize(Field) > Size - At)
      return nullptr;
    Fields.push_back(Field);
    Offsets.push_back(At);
    At += DL.getTypeStoreSize(Field);
  }
  auto *Layout = StructType::get(Dest->getContext(), Fields);
  const StructLayout *SL = DL.getStructLayout(Layout);
  if (SL->getSizeInBytes() != Size)
    return nullptr;
  for (auto [Idx, Offset] : enumerate(Offsets))
    if (SL->getElementOffset(Idx) != Offset)
      return nullptr;
  return Fields.size() == 1 ? Fields.front() : Layout;
}

Type *deduceCopiedType(MemTransferInst &Copy) {
  // A layout larger than a copy of known length, or that does not divide
  // it, is that of the enclosing object, not of the bytes copied.
  auto *Length = dyn_cast<ConstantInt>(Copy.getLength());
  const DataLayout &DL = Copy.getDataLayout();
  auto Fits = [&](Type *Elem) {
    if (!Elem || !Length)
      return Elem != nullptr;
    uint64_t Bytes = DL.getTypeAllocSize(Elem);
    return Bytes && Length->getZExtValue() % Bytes == 0;
  };
  for (Value *Ptr : {Copy.getDest(), Copy.getSource()})
    if (Type *Elem = deduceElementType(Ptr); Fits(Elem))
      return Elem;
  for (Value *Ptr : {Copy.getDest(), Copy.getSource()})
    if (Type *Pointee = declaredPointee(Ptr); Fits(Pointee))
      return Pointee;
  if (MDNode *Tag = Copy.getMetadata(CopiedElementKind);
      Tag && Tag->getNumOperands() == 1)
    if (auto *Declared = mdconst::dyn_extract<Constant>(Tag->getOperand(0));
        Declared && Fits(Declared->getType()))
      return Declared->getType();
  if (!Length)
    return nullptr;
  for (Value *Ptr : {Copy.getDest(), Copy.getSource()})
    if (Type *Declared = declaredTypeAt(Ptr, Length->getZExtValue()))
      return Declared;
  return accessedLayout(Copy.getDest(), Copy.getSource(),
                        Length->getZExtValue(), DL);
}

/// The parameter types of C++ function \p Name as its mangled name spells
/// them ("double const*"), or none for a name that is not mangled.
static std::optional<SmallVector<std::string, 4>>
declaredParameters(StringRef Name) {
  // The demangler keeps pointers into the name it parses.
  std::string Mangled = Name.str();
  ItaniumPartialDemangler Demangler;
  if (!Name.starts_with("_Z") || Demangler.partialDemangle(Mangled.c_str()))
    return std::nullopt;
  size_t Size = 0;
  char *List = Demangler.getFunctionParameters(nullptr, &Size);
  if (!List)
    return std::nullopt;
  StringRef Text = StringRef(List).trim();
  SmallVector<std::string, 4> Params;
  if (Text.consume_front("(") && Text.consume_back(")") && !Text.empty()) {
    // Split at the commas outside template arguments and parentheses.
    int Depth = 0;
    size_t Start = 0;
    for (size_t I = 0; I <= Text.size(); ++I) {
      char C = I < Text.size() ? Text[I] : ',';
      Depth += (C == '<' || C == '(') - (C == '>' || C == ')');
      if (C == ',' && Depth == 0) {
        Params.push_back(Text.slice(Start, I).trim().str());
        Start = I + 1;
      }
    }
  }
  std::free(List);
  return Params;
}

/// The scalar a parameter declared `T *` or `const T *` points to, for T a
/// floating or integer type of C wider than a character.
static Type *declaredScalarPointee(StringRef Param, const Module &M) {
  if (!Param.consume_back("*"))
    return nullptr;
  Param = Param.trim();
  if (!Param.consume_back(" const"))
    Param.consume_front("const ");
  Param.consume_front("unsigned ");
  Param.consume_front("signed ");
  LLVMContext &Ctx = M.getContext();
  // long is as wide as a pointer, except on 64-bit Windows. Characters are
  // left out: a char * helper may copy bytes of anything.
  unsigned LongBits = M.getTargetTriple().isOSWindows()
                          ? 32
                          : M.getDataLayout().getPointerSizeInBits();
  return StringSwitch<Type *>(Param)
      .Case("double", Type::getDoubleTy(Ctx))
      .Case("float", Type::getFloatTy(Ctx))
      .Case("short", Type::getInt16Ty(Ctx))
      .Case("int", Type::getInt32Ty(Ctx))
      .Case("long", Type::getIntNTy(Ctx, LongBits))
      .Case("long long", Type::getInt64Ty(Ctx))
      .Default(nullptr);
}

/// The parameter \p Ptr points into: the parameter itself, or at -O0 the
/// local variable that holds it.
static const Argument *parameterBehind(const Value *Ptr) {
  Ptr = Ptr->stripInBoundsOffsets();
  if (const auto *A = dyn_cast<Argument>(Ptr))
    return A;
  const auto *Load = dyn_cast<LoadInst>(Ptr);
  const auto *Slot =
      Load ? dyn_cast<AllocaInst>(Load->getPointerOperand()) : nullptr;
  if (!Slot)
    return nullptr;
  const Argument *Stored = nullptr;
  for (const User *U : Slot->users()) {
    if (isa<LoadInst>(U))
      continue;
    const auto *SI = dyn_cast<StoreInst>(U);
    if (!SI || SI->getPointerOperand() != Slot || Stored)
      return nullptr;
    Stored = dyn_cast<Argument>(SI->getValueOperand());
    if (!Stored)
      return nullptr;
  }
  return Stored;
}

void tagCopiesWithDeclaredTypes(Function &F) {
  SmallVector<MemTransferInst *, 4> Copies;
  for (Instruction &I : instructions(F))
    if (auto *Copy = dyn_cast<MemTransferInst>(&I);
        Copy && !Copy->getMetadata(CopiedElementKind))
      Copies.push_back(Copy);
  if (Copies.empty() || F.hasStructRetAttr())
    return;
  auto Params = declaredParameters(F.getName());
  // A method's parameters follow `this`, which the signature leaves out.
  if (!Params || F.arg_size() < Params->size() ||
      F.arg_size() > Params->size() + 1)
    return;
  unsigned Implicit = F.arg_size() - Params->size();
  if (Implicit && !F.getArg(0)->getType()->isPointerTy())
    return;
  // The parameters line up with the signature's only if pointers and
  // references are pointers and nothing else is (a struct passed by value
  // may be split into several).
  for (auto [Idx, Param] : enumerate(*Params)) {
    StringRef Spelled = StringRef(Param).trim();
    bool Indirect = Spelled.ends_with("*") || Spelled.ends_with("&");
    if (Indirect != F.getArg(Idx + Implicit)->getType()->isPointerTy())
      return;
  }
  auto Declared = [&](const Value *Ptr) -> Type * {
    const Argument *A = parameterBehind(Ptr);
    if (!A || A->getArgNo() < Implicit)
      return nullptr;
    return declaredScalarPointee((*Params)[A->getArgNo() - Implicit],
                                 *F.getParent());
  };
  for (MemTransferInst *Copy : Copies) {
    Type *Dest = Declared(Copy->getDest());
    Type *Source = Declared(Copy->getSource());
    Type *Elem = Dest ? Dest : Source;
    if (!Elem || (Dest && Source && Dest != Source))
      continue;
    Copy->setMetadata(CopiedElementKind,
                      MDNode::get(F.getContext(), ConstantAsMetadata::get(
                                                      PoisonValue::get(Elem))));
  }
}

Type *deduceTypeAt(Value *Ptr, uint64_t Size) {
  if (!isa<Instruction>(Ptr))
    return nullptr;
  return LocationDeduction(Ptr, Size).run();
}

bool mayStoreFloatBits(const StoreInst &Store) {
  const Value *Stored = Store.getValueOperand();
  Type *Ty = Stored->getType();
  const auto *Copied = dyn_cast<LoadInst>(Stored);
  if (!Ty->isIntOrIntVectorTy() || Ty->getScalarSizeInBits() < 16 ||
      (!Copied && !isa<Constant>(Stored)))
    return false;
  uint64_t Size = Store.getDataLayout().getTypeStoreSize(Ty);
  auto HoldsOther = [&](const Value *Ptr) {
    Type *Known = deduceTypeAt(const_cast<Value *>(Ptr), Size);
    return Known && !Known->isFPOrFPVectorTy();
  };
  return !HoldsOther(Store.getPointerOperand()) &&
         !(Copied && HoldsOther(Copied->getPointerOperand()));
}

} // namespace fluxion
