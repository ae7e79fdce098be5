//===- InstructionSupport.cpp - What the engine can differentiate ---------===//

#include "InstructionSupport.h"

#include "ActivityAnalysis.h"
#include "CustomRules.h"
#include "DerivativeRules.h"
#include "Diagnostics.h"
#include "LibraryFunctions.h"
#include "MPI.h"
#include "OpenMP.h"
#include "ShadowMemory.h"
#include "Synthesizer.h"
#include "TypeAnalysis.h"
#include "VectorReductions.h"
#include "WarpShuffle.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Analysis/ValueTracking.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/InlineAsm.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/IntrinsicsNVPTX.h"

using namespace llvm;

namespace fluxion {

bool hasCustomShadow(const Type *Ty, DiffMode Mode) {
  return Ty->isPointerTy() ||
         (Mode == DiffMode::Forward && isDifferentiableType(Ty));
}

StringRef userName(const Function &F) {
  StringRef Name = F.getName();
  Name.consume_front("fluxion.primal.");
  return Name.take_front(Name.find(".fluxion.with."));
}

/// Library functions that only perform output or end the program: their
/// floating arguments do not flow into any derivative.
/// Library functions that neither compute with floating values nor move
/// them: I/O, string and character handling, process control.
static bool isInertLibraryFunction(const Function &F) {
  if (std::optional<LibFunc> Func = libraryFunction(F)) {
    switch (*Func) {
    case LibFunc_printf:
    case LibFunc_fprintf:
    case LibFunc_sprintf:
    case LibFunc_snprintf:
    case LibFunc_vprintf:
    case LibFunc_vfprintf:
    case LibFunc_puts:
    case LibFunc_fputs:
    case LibFunc_putchar:
    case LibFunc_putc:
    case LibFunc_fputc:
    case LibFunc_fwrite:
    case LibFunc_fflush:
    case LibFunc_perror:
    case LibFunc_abort:
    case LibFunc_exit:
    case LibFunc_strlen:
    case LibFunc_strcmp:
    case LibFunc_strncmp:
    case LibFunc_memcmp:
    case LibFunc_bcmp:
    case LibFunc_strchr:
    case LibFunc_strrchr:
    case LibFunc_strstr:
    case LibFunc_atoi:
    case LibFunc_atol:
    case LibFunc_strtol:
    case LibFunc_strtoul:
    case LibFunc_getenv:
    case LibFunc_isdigit:
    case LibFunc_isascii:
      return true;
    default:
      return false;
    }
  }
  StringRef Name = F.getName();
  // CUDA's device printf is vprintf(format, argument buffer);
  // malloc_usable_size sizes the tape's stacks in derivatives that are
  // differentiated again.
  static const StringSet<> Inert = {
      "vprintf", "_exit", "__assert_fail", "time",
      "clock",   "rand",  "srand",         "malloc_usable_size"};
  // libstdc++'s hashing, hash-table sizing, std::string and stream output:
  // characters and sizes only.
  static constexpr StringLiteral InertPrefixes[] = {
      "_ZSt11_Hash_bytes",
      "_ZSt15_Fnv_hash_bytes",
      "_ZNKSt8__detail20_Prime_rehash_policy",
      "_ZNSt7__cxx1112basic_string",
      "_ZNKSt7__cxx1112basic_string",
      "_ZNSo",
      "_ZStlsISt11char_traitsIcEERSt13basic_ostreamIcT_ES5_",
      "_ZSt16__ostream_insert",
      "_ZSt4endl",
      "_ZNSt9basic_iosIcSt11char_traitsIcEE",
      "_ZSt20__throw_length_error",
      "_ZSt17__throw_bad_alloc",
      "_ZSt19__throw_logic_error",
      "_ZSt20__throw_out_of_range",
      "_ZSt24__throw_out_of_range_fmt",
  };
  // Inline members defined in the headers are differentiated through their
  // bodies like any other code.
  return Inert.contains(Name) ||
         (F.isDeclaration() && any_of(InertPrefixes, [&](StringRef Prefix) {
            return Name.starts_with(Prefix);
          }));
}

/// NVVM's conversions of a float to an integer (f2i.rn, d2ll.rz, ...):
/// piecewise constant, as fptosi. d2i.hi and d2i.lo take a double's bits
/// instead; Preprocess turns them into bit operations.
static bool convertsToInteger(const IntrinsicInst &II) {
  StringRef Name = II.getCalledFunction()->getName();
  if (!Name.consume_front("llvm.nvvm.") || !II.getType()->isIntegerTy() ||
      Name.ends_with(".hi") || Name.ends_with(".lo"))
    return false;
  return any_of(ArrayRef<StringRef>{"f2i.", "f2ui.", "f2ll.", "f2ull.", "d2i.",
                                    "d2ui.", "d2ll.", "d2ull."},
                [&](StringRef Prefix) { return Name.starts_with(Prefix); });
}

CallKind classifyCall(const CallBase &Call) {
  const Function *Callee = Call.getCalledFunction();
  if (Call.isInlineAsm())
    return CallKind::Unsupported;
  // A direct call of an alias or through a mismatched prototype has no
  // called function either, but its target is known.
  if (!Callee)
    return isa<Constant>(Call.getCalledOperand()->stripPointerCastsAndAliases())
               ? CallKind::Unsupported
               : CallKind::Dynamic;
  if (const auto *II = dyn_cast<IntrinsicInst>(&Call)) {
    if (II->isAssumeLikeIntrinsic() || isa<DbgInfoIntrinsic>(II) ||
        II->getIntrinsicID() == Intrinsic::prefetch || convertsToInteger(*II))
      return CallKind::Inert;
    if (Callee->getName().starts_with("llvm.nvvm.barrier"))
      return CallKind::Barrier;
    if (asShuffle(Call))
      return CallKind::Shuffle;
    if (isFloatReduction(Call))
      return CallKind::Reduction;
    if (isa<MemSetInst>(II))
      return CallKind::MemSet;
    if (isa<MemTransferInst>(II))
      return CallKind::MemTransfer;
  }
  switch (openMPRole(*Callee)) {
  case OpenMPRole::None:
    break;
  case OpenMPRole::Scheduling:
    return CallKind::Inert;
  case OpenMPRole::Barrier:
  case OpenMPRole::CriticalBegin:
  case OpenMPRole::CriticalEnd:
    return CallKind::Barrier;
  case OpenMPRole::Unsupported:
    return CallKind::Unsupported;
  }
  if (isMarkedInactive(*Callee) || isInertLibraryFunction(*Callee))
    return CallKind::Inert;
  if (asShuffle(Call))
    return CallKind::Shuffle;
  CustomRule Rule = customRule(*Callee);
  if (Rule.Forward || Rule.Reverse)
    return CallKind::Custom;
  if (findElementwiseRule(Call))
    return CallKind::Elementwise;
  if (allocationKind(Call) != AllocationKind::None)
    return CallKind::Allocation;
  if (isDeallocation(Call))
    return CallKind::Deallocation;
  if (!Callee->isDeclaration())
    return CallKind::Defined;
  return CallKind::Unsupported;
}

/// A call through a function pointer is dispatched through the derivative
/// record its shadow points to (DerivativeRecords.h), whose conventions have
/// no place for variadic arguments, a returned shadow or a pointer argument
/// without a shadow.
static bool checkDynamicCall(const CallBase &Call, const ActivityAnalysis &AA) {
  constexpr StringLiteral Unknown =
      "cannot differentiate a call through a function pointer whose target "
      "is unknown at compile time";
  if (!AA.hasShadow(Call.getCalledOperand())) {
    reportError(Call, Twine(Unknown) +
                          "; the derivative calls the derivative record "
                          "that the pointer's shadow points to "
                          "(__enzyme_virtualreverse), but this pointer "
                          "has no shadow");
    return false;
  }

  if (Call.getFunctionType()->isVarArg()) {
    reportError(Call, "cannot differentiate a call through a function "
                      "pointer to a variadic function; give it a fixed "
                      "parameter list");
    return false;
  }
  if (Call.getType()->isPointerTy() && AA.hasShadow(&Call)) {
    reportError(Call, "a call through a function pointer cannot return a "
                      "pointer to memory with derivatives: its derivative "
                      "record returns no shadow");
    return false;
  }
  for (const Use &U : Call.args())
    if (U->getType()->isPointerTy() && !AA.hasShadow(U.get()) &&
        !isa<ConstantPointerNull>(U.get())) {
      reportError(Call, "argument " + Twine(Call.getArgOperandNo(&U) + 1) +
                            " of a call through a function pointer is a "
                            "pointer without a shadow, which its derivative "
                            "record needs: pass that memory as duplicated");
      return false;
    }
  return true;
}

static bool checkCall(const CallBase &Call, const ActivityAnalysis &AA) {
  CallKind Kind = classifyCall(Call);
  // Which thread runs what in these constructs is the runtime's choice at
  // run time, so even inactive arguments do not make them safe.
  if (const Function *Callee = Call.getCalledFunction();
      Callee && openMPRole(*Callee) == OpenMPRole::Unsupported) {
    reportError(Call, "cannot differentiate '" + openMPConstruct(*Callee) +
                          "' ('" + Callee->getName() +
                          "'): parallel regions, worksharing loops, "
                          "reductions, critical, atomic and barrier are "
                          "supported");
    return false;
  }
  bool TakesActive = any_of(Call.args(), [&](const Use &U) {
    return AA.isVaried(U.get()) || AA.hasShadow(U.get());
  });
  // Derivatives pass one shadow per declared parameter; the variadic part
  // of a call has no parameter to follow.
  if (Kind == CallKind::Defined && Call.getFunctionType()->isVarArg() &&
      (TakesActive || AA.isActive(&Call))) {
    reportError(Call, "cannot differentiate a call of variadic function '" +
                          userName(*Call.getCalledFunction()) +
                          "'; give it a fixed parameter list");
    return false;
  }
  if (Kind != CallKind::Unsupported && Kind != CallKind::Dynamic)
    return true;
  // An MPI call without a rule would leave its peer's adjoint message
  // unmatched, however inactive its own arguments.
  if (const Function *Callee = Call.getCalledFunction();
      Callee && isMPIFunction(*Callee)) {
    reportError(Call, "cannot differentiate '" + Callee->getName() +
                          "': the MPI functions with derivatives are Send, "
                          "Recv, Sendrecv, Isend, Irecv, Wait, Waitall, Bcast, "
                          "Reduce, Allreduce, Gather, Scatter, Allgather and "
                          "Barrier");
    return false;
  }
  if (!TakesActive && !AA.isActive(&Call))
    return true;
  if (Kind == CallKind::Dynamic)
    return checkDynamicCall(Call, AA);
  if (Call.isInlineAsm()) {
    reportError(Call, "cannot differentiate inline assembly that uses an "
                      "active value");
    return false;
  }
  const Function *Callee = Call.getCalledFunction();
  reportError(Call, "no derivative rule for external function '" +
                        displayName(*Callee) +
                        "'; give it a body or register a custom derivative");
  return false;
}

/// Whether integer value \p V is computed by integer operations from a
/// value \p IsSource accepts.
static bool computedFrom(const Value *V,
                         function_ref<bool(const Instruction &)> IsSource,
                         unsigned Depth = 0) {
  constexpr unsigned MaxDepth = 8;
  const auto *I = dyn_cast<Instruction>(V);
  if (!I || Depth > MaxDepth)
    return false;
  if (IsSource(*I))
    return true;
  if (!isa<BinaryOperator, TruncInst, ZExtInst, SExtInst, SelectInst, PHINode,
           FreezeInst>(I))
    return false;
  return any_of(I->operands(), [&](const Use &U) {
    return computedFrom(U.get(), IsSource, Depth + 1);
  });
}

/// Whether integer value \p V holds bits of an active floating value: it is
/// computed by bit operations from a bitcast of one.
static bool carriesActiveBits(const Value *V, const ActivityAnalysis &AA) {
  return computedFrom(V, [&](const Instruction &I) {
    const auto *Cast = dyn_cast<BitCastInst>(&I);
    return Cast && Cast->getSrcTy()->isFPOrFPVectorTy() &&
           AA.isVaried(Cast->getOperand(0));
  });
}

/// Whether integer value \p V holds an address into memory with a shadow.
static bool carriesShadowedAddress(const Value *V, const ActivityAnalysis &AA) {
  return computedFrom(V, [&](const Instruction &I) {
    const auto *Cast = dyn_cast<PtrToIntInst>(&I);
    return Cast && AA.hasShadow(Cast->getPointerOperand());
  });
}

bool readsThreadConstant(const Value &V) {
  const auto *Read = dyn_cast<IntrinsicInst>(&V);
  if (!Read)
    return false;
  switch (Read->getIntrinsicID()) {
  case Intrinsic::nvvm_read_ptx_sreg_tid_x:
  case Intrinsic::nvvm_read_ptx_sreg_tid_y:
  case Intrinsic::nvvm_read_ptx_sreg_tid_z:
  case Intrinsic::nvvm_read_ptx_sreg_ntid_x:
  case Intrinsic::nvvm_read_ptx_sreg_ntid_y:
  case Intrinsic::nvvm_read_ptx_sreg_ntid_z:
  case Intrinsic::nvvm_read_ptx_sreg_ctaid_x:
  case Intrinsic::nvvm_read_ptx_sreg_ctaid_y:
  case Intrinsic::nvvm_read_ptx_sreg_ctaid_z:
  case Intrinsic::nvvm_read_ptx_sreg_nctaid_x:
  case Intrinsic::nvvm_read_ptx_sreg_nctaid_y:
  case Intrinsic::nvvm_read_ptx_sreg_nctaid_z:
  case Intrinsic::nvvm_read_ptx_sreg_laneid:
  case Intrinsic::nvvm_read_ptx_sreg_warpsize:
  case Intrinsic::nvvm_read_ptx_sreg_dynamic_smem_size:
  case Intrinsic::nvvm_read_ptx_sreg_total_smem_size:
    return true;
  default:
    return false;
  }
}

/// Whether the integer \p Load copies is a number at its source or at the
/// destination of the copy.
static bool isIntegerData(const LoadInst &Load) {
  const DataLayout &DL = Load.getDataLayout();
  uint64_t Size = DL.getTypeStoreSize(Load.getType());
  auto IsInteger = [&](const Value *Ptr) {
    Type *Ty = deduceTypeAt(const_cast<Value *>(Ptr), Size);
    if (!Ty)
      Ty = declaredTypeAt(const_cast<Value *>(Ptr), Size);
    return Ty && Ty->isIntegerTy();
  };
  if (IsInteger(Load.getPointerOperand()))
    return true;
  return any_of(Load.users(), [&](const User *U) {
    const auto *SI = dyn_cast<StoreInst>(U);
    return SI && SI->getValueOperand() == &Load &&
           IsInteger(SI->getPointerOperand());
  });
}

bool checkSupported(const Instruction &I, const ActivityAnalysis &AA,
                    DiffMode Mode) {
  // The derivative is a copy of the function: addresses of the primal's
  // labels, kept in tables, would jump back into the primal.
  if (isa<IndirectBrInst, CallBrInst>(I)) {
    reportError(I, "cannot differentiate a computed goto (a jump to a label "
                   "address) in '" +
                       userName(*I.getFunction()) + "'; use a switch instead");
    return false;
  }
  // Type punning: the bits of an active value made into a float again, or
  // kept in memory, would arrive without their derivative.
  const Value *Punned = nullptr;
  if (const auto *Cast = dyn_cast<BitCastInst>(&I);
      Cast && Cast->getDestTy()->isFPOrFPVectorTy() &&
      Cast->getSrcTy()->isIntOrIntVectorTy())
    Punned = Cast->getOperand(0);
  if (const auto *SI = dyn_cast<StoreInst>(&I);
      SI && SI->getValueOperand()->getType()->isIntOrIntVectorTy())
    Punned = SI->getValueOperand();
  if (Punned && carriesActiveBits(Punned, AA)) {
    reportError(I, "the derivative of an active value would be lost: its "
                   "bits pass through integer operations (" +
                       describeValue(*Punned) +
                       "); keep the arithmetic in floating point");
    return false;
  }
  // A pointer that may address memory with a shadow or memory without one
  // needs a shadow on both sides: constants (globals, null) have one, an
  // argument marked const does not.
  if (isa<PHINode, SelectInst>(I) && I.getType()->isPointerTy() &&
      AA.hasShadow(&I)) {
    for (const Use &U : I.operands()) {
      const Value *V = U.get();
      if (!V->getType()->isPointerTy() || AA.hasShadow(V) ||
          !isa<Argument>(getUnderlyingObject(V)))
        continue;
      reportError(I, "a pointer may address memory with derivatives or " +
                         describeValue(*V) +
                         ", which is marked const; pass that memory as a "
                         "duplicated argument");
      return false;
    }
  }
  // A copy of floating data out of memory with derivatives into memory
  // without a shadow would lose them.
  if (const auto *Copy = dyn_cast<MemTransferInst>(&I);
      Copy && AA.hasShadow(Copy->getSource()) &&
      !AA.hasShadow(Copy->getDest())) {
    Type *Elem = deduceCopiedType(*const_cast<MemTransferInst *>(Copy));
    if (!Elem || isDifferentiableType(Elem)) {
      reportError(I, "data with derivatives is copied into memory whose "
                     "derivative is not tracked (" +
                         describeValue(*Copy->getDest()) +
                         "): the derivatives would be lost");
      return false;
    }
  }
  // Preprocessing turned `(T *)((uintptr_t)p + n)` into p + n; what is left
  // (masks, products) would lose the shadow.
  if (const auto *Cast = dyn_cast<IntToPtrInst>(&I);
      Cast && carriesShadowedAddress(Cast->getOperand(0), AA)) {
    reportError(I, "an address of memory holding derivatives is computed "
                   "with integer operations Fluxion cannot follow (" +
                       describeValue(*Cast->getOperand(0)) +
                       "); use pointer arithmetic");
    return false;
  }
  // Preprocessing turned floating compare-and-swap loops into atomic adds;
  // any other exchange would move derivatives nobody tracks.
  if (const auto *CX = dyn_cast<AtomicCmpXchgInst>(&I);
      CX && (AA.hasShadow(CX->getPointerOperand()) ||
             carriesActiveBits(CX->getNewValOperand(), AA))) {
    reportError(I, "cannot differentiate this compare-and-swap on memory "
                   "holding derivatives; only atomic additions (`+=`, "
                   "`-=` on an _Atomic float, atomicAdd) have a derivative");
    return false;
  }
  if (const auto *Call = dyn_cast<CallBase>(&I))
    return checkCall(*Call, AA);
  if (const auto *SI = dyn_cast<StoreInst>(&I)) {
    const Value *Stored = SI->getValueOperand();
    // An integer copy between shadowed buffers may move floating-point data,
    // whose adjoint would be dropped without anyone noticing (forward mode
    // copies the tangent's bits, right whatever the data is).
    if (const auto *LI = dyn_cast<LoadInst>(Stored);
        LI && Mode == DiffMode::Reverse && Stored->getType()->isIntegerTy() &&
        AA.hasShadow(SI->getPointerOperand()) &&
        AA.hasShadow(LI->getPointerOperand()) &&
        !deduceElementType(const_cast<Value *>(SI->getPointerOperand())) &&
        !isIntegerData(*LI)) {
      reportError(I, "cannot deduce whether this integer copy moves "
                     "floating-point data; access the buffers with typed "
                     "loads or stores");
      return false;
    }
    bool StoresActive = AA.isVaried(Stored) || AA.hasShadow(Stored);
    // A global marked inactive holds no derivative by the user's choice.
    const auto *Global =
        dyn_cast<GlobalVariable>(getUnderlyingObject(SI->getPointerOperand()));
    if (StoresActive && !AA.hasShadow(SI->getPointerOperand()) &&
        !(Global && isMarkedInactive(*Global))) {
      reportError(I, "active value " + describeValue(*Stored) +
                         " is stored to memory whose derivative is not "
                         "tracked (" +
                         describeValue(*SI->getPointerOperand()) +
                         "); pass that memory as a duplicated argument");
      return false;
    }
    // A pointer that may address active memory or a global has a shadow,
    // but the global's is a sink that keeps nothing for later readers.
    SmallVector<const Value *, 4> Objects;
    getUnderlyingObjects(SI->getPointerOperand(), Objects);
    auto Untracked = find_if(Objects, [](const Value *Object) {
      const auto *GV = dyn_cast<GlobalVariable>(Object);
      return GV && !isSharedArray(*GV) && !isMarkedInactive(*GV);
    });
    if (StoresActive && Untracked != Objects.end()) {
      reportError(I, "active value " + describeValue(*Stored) +
                         " may be stored to global variable " +
                         describeValue(**Untracked) +
                         ", whose derivative is not tracked; keep active "
                         "values in memory passed as a duplicated argument");
      return false;
    }
    return true;
  }
  if (!AA.needsDerivative(I))
    return true;
  if (const auto *RMW = dyn_cast<AtomicRMWInst>(&I)) {
    if (RMW->getOperation() != AtomicRMWInst::FAdd &&
        RMW->getOperation() != AtomicRMWInst::FSub) {
      reportError(I, "cannot differentiate atomic '" +
                         AtomicRMWInst::getOperationName(RMW->getOperation()) +
                         "' on memory that holds derivatives; only atomic "
                         "adds and subtractions have one");
      return false;
    }
    // The value before the add depends on the order threads ran in.
    if (AA.isActive(RMW)) {
      reportError(I, "the value an atomic add returns is used in the "
                     "derivative, but it depends on the order threads run "
                     "in; read the memory after a barrier instead");
      return false;
    }
    return true;
  }
  if (isa<BinaryOperator, UnaryOperator, CastInst, SelectInst, PHINode,
          ExtractElementInst, InsertElementInst, ShuffleVectorInst,
          ExtractValueInst, InsertValueInst, LoadInst, GetElementPtrInst,
          FreezeInst, ReturnInst, BranchInst, SwitchInst, AllocaInst>(I))
    return true;
  reportError(I, Twine("cannot differentiate instruction '") +
                     I.getOpcodeName() + "' in '" +
                     displayName(*I.getFunction()) + "'");
  return false;
}

DiffRequest calleeRequest(const CallBase &Call, const ActivityAnalysis &AA,
                          DiffMode Mode) {
  DiffRequest R;
  R.Fn = Call.getCalledFunction();
  R.Mode = Mode;
  for (const Use &U : Call.args()) {
    const Value *V = U.get();
    if (AA.hasShadow(V))
      R.Args.push_back(ArgActivity::Dup);
    else if (AA.isVaried(V) && isDifferentiableType(V->getType()))
      R.Args.push_back(Mode == DiffMode::Forward ? ArgActivity::Dup
                                                 : ArgActivity::Out);
    else
      R.Args.push_back(ArgActivity::Const);
  }
  R.ReturnActive = AA.isActive(&Call);
  R.ReturnShadow = Call.getType()->isPointerTy() && AA.hasShadow(&Call);
  return R;
}

} // namespace fluxion
