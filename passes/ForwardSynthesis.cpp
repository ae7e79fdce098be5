//===- ForwardSynthesis.cpp - Forward-mode (tangent) derivatives ----------===//
//
// The forward derivative is a copy of the primal in which every active value
// is followed by its tangent. Tangents of memory live in shadow memory reached
// through shadow pointers, which mirror the primal's address computations.
//
//===----------------------------------------------------------------------===//

#include "ActivityAnalysis.h"
#include "CustomRules.h"
#include "DerivativeRecords.h"
#include "DerivativeRules.h"
#include "Diagnostics.h"
#include "InstructionSupport.h"
#include "ShadowMemory.h"
#include "StandInShadows.h"
#include "Synthesizer.h"
#include "VectorReductions.h"
#include "WarpShuffle.h"

#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/PostOrderIterator.h"
#include "llvm/Analysis/ValueTracking.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/InstVisitor.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/Support/Debug.h"
#include "llvm/Transforms/Utils/Cloning.h"

#define DEBUG_TYPE "fluxion-forward"

using namespace llvm;

namespace fluxion {
namespace {

class ForwardBuilder : public InstVisitor<ForwardBuilder, bool> {
public:
  ForwardBuilder(Synthesizer &S, const DiffRequest &Request, Function &Primal,
                 Function &Derivative)
      : S(S), Request(Request), Primal(Primal), D(Derivative),
        AA(Primal, Request,
           [&S](Function &F) -> Function & { return S.preprocessed().get(F); }),
        StandIns(Request, AA), B(Primal.getContext()), Width(Request.Width),
        SkipNoNeedWrites(is_contained(Request.Args, ArgActivity::DupNoNeed) &&
                         noNeedOnlyAccumulated()) {
    B.setFastMathFlags(derivativeMathFlags());
  }

  bool run();

  bool visitInstruction(Instruction &) { return true; }
  bool visitBinaryOperator(BinaryOperator &I) { return visitElementwise(I); }
  bool visitUnaryOperator(UnaryOperator &I) { return visitElementwise(I); }
  bool visitCastInst(CastInst &I);
  bool visitSelectInst(SelectInst &I);
  bool visitPHINode(PHINode &I);
  bool visitExtractElementInst(ExtractElementInst &I) { return visitLinear(I); }
  bool visitInsertElementInst(InsertElementInst &I) { return visitLinear(I); }
  bool visitShuffleVectorInst(ShuffleVectorInst &I) { return visitLinear(I); }
  bool visitExtractValueInst(ExtractValueInst &I) { return visitLinear(I); }
  bool visitInsertValueInst(InsertValueInst &I) { return visitLinear(I); }
  bool visitFreezeInst(FreezeInst &I) { return visitLinear(I); }
  bool visitGetElementPtrInst(GetElementPtrInst &I) { return visitLinear(I); }
  bool visitLoadInst(LoadInst &I);
  bool visitStoreInst(StoreInst &I);
  bool visitAtomicRMWInst(AtomicRMWInst &I);
  bool visitAllocaInst(AllocaInst &I) { return visitAllocation(I); }
  bool visitCallBase(CallBase &I);

private:
  /// The derivative function's copy of primal value \p PrimalV.
  Value *mapped(Value *PrimalV) {
    Value *Copy = VMap.lookup(PrimalV);
    return Copy ? Copy : PrimalV;
  }
  /// The tangent (or shadow) of a primal value; zero when it has none.
  Value *tangent(Value *PrimalV);
  void setTangent(Instruction &I, Value *T) {
    if (auto *TI = dyn_cast<Instruction>(T);
        TI && !TI->hasName() && I.hasName())
      TI->setName(I.getName() + ".tangent");
    Tangents[&I] = T;
  }
  /// Positions the builder right after the copy of \p I.
  void insertAfter(Instruction &I);
  /// partial * tangent, the partial applied to every lane.
  Value *scale(Value *Partial, Value *Tangent);
  /// The sum of two tangents of the same value.
  Value *add(Value *Left, Value *Right);
  /// Builds a tangent from one value of type \p LaneTy per lane (vector
  /// mode) or the single value.
  Value *perLane(function_ref<Value *(unsigned Lane)> Emit, Type *LaneTy);
  /// Lane \p Lane of a tangent.
  Value *lane(Value *Tangent, unsigned Lane);
  /// \p ShadowLane, one lane of the shadow of primal pointer \p Ptr, or
  /// null where it is a stand-in: what realloc and free may release.
  Value *unlessStandInPointer(Value *Ptr, Value *ShadowLane) {
    Value *StandIn = standIn(Ptr, ShadowLane);
    return StandIn ? unlessStandIn(B, StandIn, ShadowLane) : ShadowLane;
  }
  /// Whether \p ShadowLane, one lane of the shadow of primal pointer \p Ptr,
  /// is a stand-in; null where it cannot be one.
  Value *standIn(Value *Ptr, Value *ShadowLane) {
    return StandIns.mayBeStandIn(Ptr) ? isStandIn(B, ShadowLane, mapped(Ptr))
                                      : nullptr;
  }
  bool visitElementwise(Instruction &I);
  bool visitAllocation(Instruction &I);
  bool visitLinear(Instruction &I);
  bool visitDefinedCall(CallBase &Call);
  bool visitCustomCall(CallBase &Call);
  bool visitDynamicCall(CallBase &Call);
  /// Error-estimate mode: the error bound of elementwise \p I (copied as
  /// \p Copy) given the error \p Propagated from its operands (null when
  /// none has one), reported to the program's enzymeLogError if it has one.
  Value *errorBound(Instruction &I, Instruction &Copy, Value *Propagated);
  bool visitShuffle(CallBase &Call);
  bool visitReduction(IntrinsicInst &Reduction);
  void finishPhis();
  void rewriteReturns();
  /// Whether \p Ptr points only into dupnoneed arguments: memory whose
  /// primal contents the caller does not want (Enzyme's callers may pass a
  /// dummy pointer there).
  bool pointsIntoNoNeed(const Value *Ptr) const;
  /// Whether every value read from dupnoneed memory only accumulates into
  /// it again (sums, differences, negations, phis, selects): then no
  /// tangent needs the primal contents, and they need not be written.
  bool noNeedOnlyAccumulated() const;
  /// Whether the primal writes through \p Ptr are left out.
  bool primalNotNeeded(const Value *Ptr) const;
  /// Leaves out the primal writes to such memory; their tangents are kept.
  void skipUnneededPrimalWrites();

  Synthesizer &S;
  const DiffRequest &Request;
  Function &Primal;
  Function &D;
  ActivityAnalysis AA;
  StandInAnalysis StandIns;
  IRBuilder<> B;
  unsigned Width;
  bool SkipNoNeedWrites;
  ValueToValueMapTy VMap;
  DenseMap<Value *, Value *> Tangents;
  SmallVector<PHINode *, 8> Phis;
};

Value *ForwardBuilder::tangent(Value *PrimalV) {
  if (Value *T = Tangents.lookup(PrimalV))
    return T;
  auto *Address = dyn_cast<Constant>(PrimalV);
  if (Address && Address->getType()->isPointerTy() &&
      constantShadow(D, Address, DiffMode::Forward)) {
    SmallVector<Value *, 4> Lanes;
    for (unsigned Lane = 0; Lane < Width; ++Lane)
      Lanes.push_back(
          constantShadow(D, Address, DiffMode::Forward, Lane, Width));
    if (Width == 1)
      return Lanes[0];
    // Shadows of dynamic shared memory are computed at the entry, which
    // dominates every use, phi operands among them; so is their vector.
    Instruction *Point = &*D.getEntryBlock().getFirstInsertionPt();
    for (Value *L : Lanes)
      if (auto *I = dyn_cast<Instruction>(L); I && !I->comesBefore(Point))
        Point = I->getNextNode();
    IRBuilderBase::InsertPointGuard Guard(B);
    B.SetInsertPoint(Point);
    return perLane([&](unsigned Lane) { return Lanes[Lane]; },
                   Address->getType());
  }
  // Memory without a shadow: the primal pointer stands in for one.
  if (PrimalV->getType()->isPtrOrPtrVectorTy() && !isa<Constant>(PrimalV))
    return perLane([&](unsigned) { return mapped(PrimalV); },
                   PrimalV->getType());
  return Constant::getNullValue(tangentType(PrimalV->getType(), Width));
}

Value *ForwardBuilder::scale(Value *Partial, Value *Tangent) {
  // Packets and aggregates keep their lanes apart: each is scaled alone.
  if (Width > 1 && !Tangent->getType()->isVectorTy())
    return perLane(
        [&](unsigned Lane) {
          return scaleByPartial(B, Partial, lane(Tangent, Lane));
        },
        Partial->getType());
  if (Width == 1 || isa<ConstantFP>(Partial))
    if (Width == 1 || cast<ConstantFP>(Partial)->isExactlyValue(1.0) ||
        cast<ConstantFP>(Partial)->isExactlyValue(-1.0))
      return scaleByPartial(B, Partial, Tangent);
  return B.CreateFMul(B.CreateVectorSplat(Width, Partial), Tangent);
}

Value *ForwardBuilder::add(Value *Left, Value *Right) {
  if (Width > 1 && !Left->getType()->isVectorTy())
    return perLane(
        [&](unsigned Lane) {
          return B.CreateFAdd(lane(Left, Lane), lane(Right, Lane));
        },
        cast<ArrayType>(Left->getType())->getElementType());
  return B.CreateFAdd(Left, Right);
}

Value *ForwardBuilder::perLane(function_ref<Value *(unsigned Lane)> Emit,
                               Type *LaneTy) {
  if (Width == 1)
    return Emit(0);
  Value *Lanes = PoisonValue::get(tangentType(LaneTy, Width));
  for (unsigned Lane = 0; Lane < Width; ++Lane)
    Lanes = insertLane(B, Lanes, Emit(Lane), Lane);
  return Lanes;
}

Value *ForwardBuilder::lane(Value *Tangent, unsigned Lane) {
  return Width == 1 ? Tangent : extractLane(B, Tangent, Lane);
}

void ForwardBuilder::insertAfter(Instruction &I) {
  auto *Copy = cast<Instruction>(mapped(&I));
  if (isa<PHINode>(Copy))
    B.SetInsertPoint(Copy->getParent()->getFirstNonPHIIt());
  else
    B.SetInsertPoint(std::next(Copy->getIterator()));
  B.SetCurrentDebugLocation(Copy->getDebugLoc());
}

bool ForwardBuilder::visitElementwise(Instruction &I) {
  const ElementwiseRule *Rule = findElementwiseRule(I);
  if (!Rule)
    return true;
  insertAfter(I);
  auto *Copy = cast<Instruction>(mapped(&I));
  unsigned NumOperands = isa<CallBase>(Copy) ? cast<CallBase>(Copy)->arg_size()
                                             : Copy->getNumOperands();
  auto Fetch = [&](int Idx) -> Value * {
    return Idx < 0 ? Copy : Copy->getOperand(Idx);
  };
  // Partials of an operand that appears twice (x * x) are added before
  // scaling its tangent once.
  MapVector<Value *, Value *> Partials;
  for (unsigned Idx = 0; Idx < NumOperands && Idx < Rule->Partials.size();
       ++Idx) {
    Value *Op = I.getOperand(Idx);
    if (!Rule->Partials[Idx] || !Tangents.count(Op))
      continue;
    Value *Partial =
        evaluatePartial(B, I.getType(), Fetch, Rule->Partials[Idx]);
    Value *&Total = Partials[Op];
    Total = Total ? B.CreateFAdd(Total, Partial) : Partial;
  }
  Value *Sum = nullptr;
  for (auto [Op, Partial] : Partials) {
    // Errors are relative: operand x_i's error e_i contributes
    // |dy/dx_i * x_i / y * e_i| (the condition number times e_i).
    if (Request.ErrorEstimate)
      Partial = B.CreateFDiv(B.CreateFMul(Partial, mapped(Op)), Copy);
    Value *Term = scale(Partial, Tangents[Op]);
    if (Request.ErrorEstimate)
      Term = B.CreateUnaryIntrinsic(Intrinsic::fabs, Term);
    Sum = Sum ? add(Sum, Term) : Term;
  }
  if (Request.ErrorEstimate) {
    setTangent(I, errorBound(I, *Copy, Sum));
    return true;
  }
  setTangent(I, Sum ? Sum : tangent(&I));
  return true;
}

/// One unit in the last place of \p V: the distance to the float whose
/// lowest mantissa bit differs.
static Value *unitInTheLastPlace(IRBuilderBase &B, Value *V) {
  Type *Bits = B.getIntNTy(V->getType()->getScalarSizeInBits());
  if (auto *VT = dyn_cast<VectorType>(V->getType()))
    Bits = VectorType::get(Bits, VT);
  Value *Neighbor = B.CreateBitCast(
      B.CreateXor(B.CreateBitCast(V, Bits), ConstantInt::get(Bits, 1)),
      V->getType());
  return B.CreateUnaryIntrinsic(Intrinsic::fabs, B.CreateFSub(V, Neighbor));
}

Value *ForwardBuilder::errorBound(Instruction &I, Instruction &Copy,
                                  Value *Propagated) {
  // The operation's own rounding is at most an ulp of its result (Enzyme's
  // bound).
  Value *Bound = unitInTheLastPlace(B, &Copy);
  if (Propagated)
    Bound = B.CreateBinaryIntrinsic(Intrinsic::maxnum, Bound, Propagated);
  Module &M = *D.getParent();
  Function *Log = M.getFunction("enzymeLogError");
  if (!Log || Log->arg_size() != 7)
    return Bound;
  // enzymeLogError(result, error, opcode, callee, module, function, block)
  auto *Call = dyn_cast<CallBase>(&I);
  Function *Callee = Call ? Call->getCalledFunction() : nullptr;
  StringRef Function = userName(Primal);
  Value *Args[] = {B.CreateFPCast(&Copy, B.getDoubleTy()),
                   B.CreateFPCast(Bound, B.getDoubleTy()),
                   B.CreateGlobalString(I.getOpcodeName()),
                   B.CreateGlobalString(Callee ? Callee->getName() : "<N/A>"),
                   B.CreateGlobalString(M.getModuleIdentifier()),
                   B.CreateGlobalString(Function),
                   B.CreateGlobalString(I.getParent()->getName())};
  B.CreateCall(Log, Args);
  return Bound;
}

bool ForwardBuilder::visitCastInst(CastInst &I) {
  // Conversions between integers and floats carry no derivative; the
  // conversions left are linear in the tangent.
  if (!Tangents.count(I.getOperand(0)))
    return true;
  insertAfter(I);
  Value *Tangent = tangent(I.getOperand(0));
  if (Width > 1 && !Tangent->getType()->isVectorTy())
    return visitLinear(I);
  setTangent(
      I, B.CreateCast(I.getOpcode(), Tangent, tangentType(I.getType(), Width)));
  return true;
}

bool ForwardBuilder::visitSelectInst(SelectInst &I) {
  // A condition per element of a packet selects within each lane.
  if (Width > 1 && I.getCondition()->getType()->isVectorTy())
    return visitLinear(I);
  insertAfter(I);
  setTangent(I,
             B.CreateSelect(mapped(I.getCondition()), tangent(I.getTrueValue()),
                            tangent(I.getFalseValue())));
  return true;
}

bool ForwardBuilder::visitPHINode(PHINode &I) {
  insertAfter(I);
  B.SetInsertPoint(cast<Instruction>(mapped(&I)));
  PHINode *T = B.CreatePHI(tangentType(I.getType(), Width),
                           I.getNumIncomingValues(), I.getName() + ".tangent");
  setTangent(I, T);
  Phis.push_back(&I);
  return true;
}

bool ForwardBuilder::visitLinear(Instruction &I) {
  // Structural operations (element and field access, address arithmetic)
  // act on tangents exactly as on primal values; index operands stay primal.
  insertAfter(I);
  // A GEP of the lanes' pointers is a vector GEP.
  auto *GEP = dyn_cast<GetElementPtrInst>(&I);
  if (Width > 1 && GEP && !GEP->getType()->isVectorTy()) {
    SmallVector<Value *, 4> Indices;
    for (Use &Idx : GEP->indices())
      Indices.push_back(mapped(Idx.get()));
    setTangent(I, B.CreateGEP(GEP->getSourceElementType(),
                              tangent(GEP->getPointerOperand()), Indices,
                              I.getName() + ".tangent", GEP->getNoWrapFlags()));
    return true;
  }
  // Otherwise each lane's tangent goes through its own copy.
  setTangent(I, perLane(
                    [&](unsigned Lane) {
                      Instruction *T = cast<Instruction>(mapped(&I))->clone();
                      for (Use &U : I.operands()) {
                        Value *Op = U.get();
                        if (isDifferentiableType(Op->getType()) ||
                            Op->getType()->isPtrOrPtrVectorTy())
                          T->setOperand(U.getOperandNo(),
                                        lane(tangent(Op), Lane));
                      }
                      T->setName(I.getName() + ".tangent");
                      return B.Insert(T);
                    },
                    I.getType()));
  return true;
}

bool ForwardBuilder::visitLoadInst(LoadInst &I) {
  if (!AA.hasShadow(I.getPointerOperand()))
    return true;
  insertAfter(I);
  Value *Shadow = tangent(I.getPointerOperand());
  bool ReadsPointer = I.getType()->isPtrOrPtrVectorTy();
  setTangent(I, perLane(
                    [&](unsigned Lane) -> Value * {
                      Value *Address = lane(Shadow, Lane);
                      Value *Loaded = B.CreateAlignedLoad(I.getType(), Address,
                                                          I.getAlign());
                      // A pointer read through a stand-in is the stand-in
                      // of the pointer read.
                      if (ReadsPointer)
                        return standInIfNull(B, Loaded, mapped(&I));
                      Value *StandIn = standIn(I.getPointerOperand(), Address);
                      if (!StandIn)
                        return Loaded;
                      return B.CreateSelect(
                          StandIn, Constant::getNullValue(I.getType()), Loaded);
                    },
                    I.getType()));
  return true;
}

/// The tangent of an atomic add to memory is an atomic add of the tangent to
/// the shadow: other threads may add theirs concurrently.
bool ForwardBuilder::visitAtomicRMWInst(AtomicRMWInst &I) {
  if (!AA.hasShadow(I.getPointerOperand()))
    return true;
  insertAfter(I);
  Value *Shadow = tangent(I.getPointerOperand());
  Value *Delta = tangent(I.getValOperand());
  // Through a stand-in, an add of -0 changes nothing; other operations
  // repeat what the primal did.
  bool Adds = I.getOperation() == AtomicRMWInst::FAdd ||
              I.getOperation() == AtomicRMWInst::FSub;
  Value *Inert = Adds ? ConstantFP::getNegativeZero(I.getType())
                      : mapped(I.getValOperand());
  for (unsigned Lane = 0; Lane < Width; ++Lane) {
    Value *Address = lane(Shadow, Lane), *Operand = lane(Delta, Lane);
    if (Value *StandIn = standIn(I.getPointerOperand(), Address))
      Operand = B.CreateSelect(StandIn, Inert, Operand);
    B.CreateAtomicRMW(I.getOperation(), Address, Operand, I.getAlign(),
                      I.getOrdering(), I.getSyncScopeID());
  }
  return true;
}

bool ForwardBuilder::visitStoreInst(StoreInst &I) {
  if (!AA.hasShadow(I.getPointerOperand()))
    return true;
  insertAfter(I);
  Value *Shadow = tangent(I.getPointerOperand());
  Value *Stored = tangent(I.getValueOperand());
  // Integer bits copied between shadowed buffers may be a float's: its
  // tangent's bits are copied alongside.
  auto *Copied = dyn_cast<LoadInst>(I.getValueOperand());
  Value *CopiedShadow =
      Copied && I.getValueOperand()->getType()->isIntOrIntVectorTy() &&
              AA.hasShadow(Copied->getPointerOperand())
          ? tangent(Copied->getPointerOperand())
          : nullptr;
  for (unsigned Lane = 0; Lane < Width; ++Lane) {
    Value *Address = lane(Shadow, Lane), *V = lane(Stored, Lane);
    if (CopiedShadow) {
      Value *From = lane(CopiedShadow, Lane);
      V = B.CreateAlignedLoad(Copied->getType(), From, Copied->getAlign());
      if (Value *StandIn = standIn(Copied->getPointerOperand(), From))
        V = B.CreateSelect(StandIn, Constant::getNullValue(V->getType()), V);
    }
    // Through a stand-in the store writes again what the primal wrote.
    if (Value *StandIn = standIn(I.getPointerOperand(), Address))
      V = B.CreateSelect(StandIn, mapped(I.getValueOperand()), V);
    B.CreateAlignedStore(V, Address, I.getAlign());
  }
  return true;
}

bool ForwardBuilder::visitAllocation(Instruction &I) {
  if (!AA.hasShadow(&I))
    return true;
  insertAfter(I);
  auto *Call = dyn_cast<CallBase>(&I);
  Value *Reallocated = Call && allocationKind(*Call) == AllocationKind::Realloc
                           ? tangent(Call->getArgOperand(0))
                           : nullptr;
  setTangent(I, perLane(
                    [&](unsigned Lane) -> Value * {
                      return createShadowAllocation(
                          B, *cast<Instruction>(mapped(&I)),
                          Reallocated
                              ? unlessStandInPointer(Call->getArgOperand(0),
                                                     lane(Reallocated, Lane))
                              : nullptr);
                    },
                    I.getType()));
  return true;
}

/// The tangent of a warp shuffle is the same shuffle of the tangent.
bool ForwardBuilder::visitShuffle(CallBase &Call) {
  if (!AA.isActive(&Call))
    return true;
  Shuffle Primal = *asShuffle(Call);
  Shuffle Copy{Primal.Mode, mapped(Primal.Mask), nullptr, mapped(Primal.Offset),
               mapped(Primal.Clamp)};
  Value *Tangent = tangent(Primal.Data);
  insertAfter(Call);
  setTangent(Call, perLane(
                       [&](unsigned Lane) {
                         return emitShuffle(B, Copy, lane(Tangent, Lane));
                       },
                       Call.getType()));
  return true;
}

bool ForwardBuilder::visitReduction(IntrinsicInst &Reduction) {
  if (!AA.isActive(&Reduction))
    return true;
  bool Sum = Reduction.getIntrinsicID() == Intrinsic::vector_reduce_fadd;
  Value *Vector = Reduction.getArgOperand(Sum ? 1 : 0);
  insertAfter(Reduction);
  Value *VectorTangent = tangent(Vector);
  Value *StartTangent = Sum ? tangent(Reduction.getArgOperand(0)) : nullptr;
  setTangent(Reduction, perLane(
                            [&](unsigned Lane) {
                              return emitReductionTangent(
                                  B, Reduction, mapped(Vector),
                                  mapped(&Reduction),
                                  Sum ? lane(StartTangent, Lane) : nullptr,
                                  lane(VectorTangent, Lane));
                            },
                            Reduction.getType()));
  return true;
}

bool ForwardBuilder::visitCallBase(CallBase &I) {
  switch (classifyCall(I)) {
  case CallKind::Inert:
  case CallKind::Unsupported:
  case CallKind::Barrier:
    return true;
  case CallKind::Dynamic:
    return visitDynamicCall(I);
  case CallKind::Allocation:
    return visitAllocation(I);
  case CallKind::Deallocation:
    if (AA.hasShadow(I.getArgOperand(0))) {
      insertAfter(I);
      Value *Shadow = tangent(I.getArgOperand(0));
      for (unsigned Lane = 0; Lane < Width; ++Lane)
        createShadowDeallocation(
            B, *cast<CallBase>(mapped(&I)),
            unlessStandInPointer(I.getArgOperand(0), lane(Shadow, Lane)));
    }
    return true;
  case CallKind::Elementwise:
    return visitElementwise(I);
  case CallKind::Shuffle:
    return visitShuffle(I);
  case CallKind::Reduction:
    return visitReduction(cast<IntrinsicInst>(I));
  case CallKind::Defined:
    return visitDefinedCall(I);
  case CallKind::Custom:
    return visitCustomCall(I);
  case CallKind::MemSet: {
    if (!AA.hasShadow(I.getArgOperand(0)))
      return true;
    // Whatever bytes are written, the tangent of the stored data is zero.
    insertAfter(I);
    auto &MS = cast<MemSetInst>(I);
    Value *Shadow = tangent(MS.getDest());
    for (unsigned Lane = 0; Lane < Width; ++Lane) {
      Value *Address = lane(Shadow, Lane), *Length = mapped(MS.getLength());
      if (Value *StandIn = standIn(MS.getDest(), Address))
        Length = unlessStandIn(B, StandIn, Length);
      B.CreateMemSet(Address, B.getInt8(0), Length, MS.getDestAlign(),
                     MS.isVolatile());
    }
    return true;
  }
  case CallKind::MemTransfer: {
    auto &MT = cast<MemTransferInst>(I);
    if (!AA.hasShadow(MT.getDest()))
      return true;
    insertAfter(I);
    Value *Dest = tangent(MT.getDest());
    Value *Source =
        AA.hasShadow(MT.getSource()) ? tangent(MT.getSource()) : nullptr;
    for (unsigned Lane = 0; Lane < Width; ++Lane) {
      Value *To = lane(Dest, Lane), *Length = mapped(MT.getLength());
      Value *From = Source ? lane(Source, Lane) : nullptr;
      Value *SourceStandIn = From ? standIn(MT.getSource(), From) : B.getTrue();
      ShadowCopyLengths Lengths = shadowCopyLengths(
          B, standIn(MT.getDest(), To), SourceStandIn, Length);
      if (SourceStandIn)
        B.CreateMemSet(To, B.getInt8(0), Lengths.Zeroed, MT.getDestAlign());
      if (From)
        B.CreateMemTransferInst(MT.getIntrinsicID(), To, MT.getDestAlign(),
                                From, MT.getSourceAlign(), Lengths.Copied,
                                MT.isVolatile());
    }
    return true;
  }
  }
  llvm_unreachable("unknown call kind");
}

bool ForwardBuilder::visitDefinedCall(CallBase &Call) {
  DiffRequest Callee = calleeRequest(Call, AA, DiffMode::Forward);
  for (unsigned ArgNo = 0; ArgNo < Callee.Args.size(); ++ArgNo)
    if (Callee.Args[ArgNo] == ArgActivity::Dup &&
        primalNotNeeded(Call.getArgOperand(ArgNo)))
      Callee.Args[ArgNo] = ArgActivity::DupNoNeed;
  Callee.Width = Width;
  Callee.StandInArgs = StandIns.standInArguments(Call);
  Callee.ErrorEstimate = Request.ErrorEstimate;
  if (none_of(Callee.Args,
              [](ArgActivity A) { return A != ArgActivity::Const; }))
    return true;
  Function *Fwd = S.forward(Callee);
  if (!Fwd)
    return false;
  insertAfter(Call);
  SmallVector<Value *, 8> Args;
  for (auto [U, Activity] : zip(Call.args(), Callee.Args)) {
    Args.push_back(mapped(U.get()));
    if (hasShadowArg(Activity))
      Args.push_back(tangent(U.get()));
  }
  auto *Copy = cast<CallBase>(mapped(&Call));
  // A parallel region's mark (OpenMP.h) goes over to its tangent.
  SmallVector<OperandBundleDef, 1> Bundles;
  Copy->getOperandBundlesAsDefs(Bundles);
  CallInst *NewCall = B.CreateCall(Fwd, Args, Bundles);
  NewCall->setDebugLoc(Copy->getDebugLoc());
  Value *PrimalResult = NewCall;
  if (Callee.ReturnActive || Callee.ReturnShadow) {
    PrimalResult = B.CreateExtractValue(NewCall, 0);
    setTangent(Call,
               B.CreateExtractValue(NewCall, 1, Call.getName() + ".tangent"));
  }
  if (!Copy->getType()->isVoidTy())
    Copy->replaceAllUsesWith(PrimalResult);
  VMap[&Call] = PrimalResult;
  Copy->eraseFromParent();
  return true;
}

bool ForwardBuilder::visitCustomCall(CallBase &Call) {
  Function *Callee = Call.getCalledFunction();
  Function *Rule = customRule(*Callee).Forward;
  if (Rule && Request.ErrorEstimate) {
    reportError(Call, "'" + displayName(*Callee) +
                          "' has a custom forward rule, which gives no "
                          "error estimate");
    return false;
  }
  if (Rule && Width > 1) {
    reportError(Call, "vector mode does not support the custom forward rule "
                      "of '" +
                          displayName(*Callee) + "' yet");
    return false;
  }
  if (!Rule) {
    if (!Callee->isDeclaration())
      return visitDefinedCall(Call);
    reportError(Call, "'" + displayName(*Callee) +
                          "' has a reverse rule but no forward rule");
    return false;
  }
  SmallVector<Value *, 8> Args;
  for (const Use &U : Call.args()) {
    Args.push_back(mapped(U.get()));
    // A rule gets a null shadow for memory without one, not a stand-in.
    if (hasCustomShadow(U->getType(), DiffMode::Forward))
      Args.push_back(U->getType()->isPointerTy() && !AA.hasShadow(U.get())
                         ? Constant::getNullValue(U->getType())
                         : tangent(U.get()));
  }
  if (Rule->arg_size() != Args.size()) {
    reportError(Call, "forward rule '" + displayName(*Rule) + "' for '" +
                          displayName(*Callee) + "' takes " +
                          Twine(Rule->arg_size()) + " parameters, expected " +
                          Twine(Args.size()));
    return false;
  }
  insertAfter(Call);
  CallInst *Tangent = B.CreateCall(Rule, Args);
  if (AA.isActive(&Call))
    setTangent(Call, Tangent);
  return true;
}

/// Calls the forward entry of the derivative record the function pointer's
/// shadow points to (DerivativeRecords.h), which computes the result too.
bool ForwardBuilder::visitDynamicCall(CallBase &Call) {
  if (Width > 1) {
    reportError(Call, "vector mode does not support calls through function "
                      "pointers yet");
    return false;
  }
  auto *Copy = cast<CallBase>(mapped(&Call));
  B.SetInsertPoint(Copy);
  Value *Record =
      checkedRecord(B, tangent(Call.getCalledOperand()),
                    mapped(Call.getCalledOperand()), Call.getFunctionType());
  Value *Entry =
      B.CreateLoad(B.getPtrTy(),
                   B.CreateConstGEP1_32(B.getPtrTy(), Record,
                                        unsigned(RecordEntry::Forward)),
                   "forward.entry");
  SmallVector<Value *, 8> Args;
  for (const Use &U : Call.args()) {
    Args.push_back(mapped(U.get()));
    if (hasCustomShadow(U->getType(), DiffMode::Forward))
      Args.push_back(tangent(U.get()));
  }
  CallInst *Result = B.CreateCall(
      recordEntryType(Call.getFunctionType(), RecordEntry::Forward), Entry,
      Args);
  Value *Primal = Result;
  if (isDifferentiableType(Call.getType())) {
    Primal = B.CreateExtractValue(Result, 0);
    setTangent(Call, B.CreateExtractValue(Result, 1));
  }
  if (!Call.getType()->isVoidTy())
    Copy->replaceAllUsesWith(Primal);
  VMap[&Call] = Primal;
  Copy->eraseFromParent();
  return true;
}

void ForwardBuilder::finishPhis() {
  for (PHINode *P : Phis) {
    auto *T = cast<PHINode>(Tangents[P]);
    for (auto [V, BB] : zip(P->incoming_values(), P->blocks())) {
      auto *From = cast<BasicBlock>(mapped(BB));
      B.SetInsertPoint(From->getTerminator());
      T->addIncoming(tangent(V), From);
    }
  }
}

void ForwardBuilder::rewriteReturns() {
  for (BasicBlock &BB : Primal) {
    auto *Ret = dyn_cast<ReturnInst>(BB.getTerminator());
    if (!Ret || !(Request.ReturnActive || Request.ReturnShadow))
      continue;
    auto *Copy = cast<ReturnInst>(mapped(Ret));
    B.SetInsertPoint(Copy);
    Value *Pair = PoisonValue::get(D.getReturnType());
    Pair = B.CreateInsertValue(Pair, Copy->getReturnValue(), 0);
    Pair = B.CreateInsertValue(Pair, tangent(Ret->getReturnValue()), 1);
    B.CreateRet(Pair);
    Copy->eraseFromParent();
  }
}

bool ForwardBuilder::pointsIntoNoNeed(const Value *Ptr) const {
  SmallVector<const Value *, 4> Objects;
  getUnderlyingObjects(Ptr, Objects);
  return !Objects.empty() && all_of(Objects, [&](const Value *Object) {
    const auto *A = dyn_cast<Argument>(Object);
    return A && A->getParent() == &Primal &&
           Request.Args[A->getArgNo()] == ArgActivity::DupNoNeed;
  });
}

bool ForwardBuilder::noNeedOnlyAccumulated() const {
  SmallVector<const Instruction *, 16> Worklist;
  SmallPtrSet<const Instruction *, 16> Seen;
  for (const Instruction &I : instructions(Primal)) {
    if (auto *LI = dyn_cast<LoadInst>(&I);
        LI && pointsIntoNoNeed(LI->getPointerOperand()))
      Worklist.push_back(LI);
    else if (auto *Copy = dyn_cast<MemTransferInst>(&I);
             Copy && pointsIntoNoNeed(Copy->getSource()))
      return false;
  }
  while (!Worklist.empty()) {
    const Instruction *I = Worklist.pop_back_val();
    for (const Use &U : I->uses()) {
      const auto *User = cast<Instruction>(U.getUser());
      if (const auto *SI = dyn_cast<StoreInst>(User)) {
        if (U.getOperandNo() != 0 || !pointsIntoNoNeed(SI->getPointerOperand()))
          return false;
        continue;
      }
      bool Linear = isa<PHINode, FreezeInst>(User) ||
                    (isa<SelectInst>(User) && U.getOperandNo() != 0) ||
                    (isa<BinaryOperator>(User) &&
                     (User->getOpcode() == Instruction::FAdd ||
                      User->getOpcode() == Instruction::FSub)) ||
                    User->getOpcode() == Instruction::FNeg;
      if (!Linear)
        return false;
      if (Seen.insert(User).second)
        Worklist.push_back(User);
    }
  }
  return true;
}

bool ForwardBuilder::primalNotNeeded(const Value *Ptr) const {
  return SkipNoNeedWrites && pointsIntoNoNeed(Ptr);
}

void ForwardBuilder::skipUnneededPrimalWrites() {
  if (!SkipNoNeedWrites)
    return;
  for (Instruction &I : instructions(Primal)) {
    Value *Dest = nullptr;
    if (auto *SI = dyn_cast<StoreInst>(&I))
      Dest = SI->getPointerOperand();
    else if (auto *MI = dyn_cast<MemIntrinsic>(&I))
      Dest = MI->getDest();
    if (!Dest || !primalNotNeeded(Dest))
      continue;
    if (auto *Copy = dyn_cast_or_null<Instruction>(VMap.lookup(&I)))
      Copy->eraseFromParent();
  }
}

bool ForwardBuilder::run() {
  clonePrimalInto(Primal, Request, D, /*FirstParam=*/0, ".tangent", VMap,
                  Tangents);

  bool Ok = true;
  ReversePostOrderTraversal<Function *> RPO(&Primal);
  for (BasicBlock *BB : RPO)
    for (Instruction &I : make_early_inc_range(*BB)) {
      if (!checkSupported(I, AA, DiffMode::Forward)) {
        Ok = false;
        continue;
      }
      if (Width > 1 && AA.needsDerivative(I) && !I.getType()->isVoidTy() &&
          !tangentType(I.getType(), Width)) {
        std::string TypeName;
        raw_string_ostream OS(TypeName);
        I.getType()->print(OS);
        reportError(I, "vector mode does not support active values of type " +
                           OS.str() + " yet");
        Ok = false;
        continue;
      }
      // After an error the rest is only checked: the derivatives of values
      // that failed do not exist for later instructions to use.
      if (Ok && AA.needsDerivative(I))
        Ok &= visit(I);
    }
  if (!Ok)
    return false;
  finishPhis();
  rewriteReturns();
  skipUnneededPrimalWrites();
  LLVM_DEBUG(dbgs() << "fluxion: forward derivative\n" << D);
  return true;
}

} // namespace

/// Which of sin and cos \p Call computes, if either, in libm or as an
/// intrinsic.
static std::optional<bool> isSineCall(const Instruction &I) {
  const auto *Call = dyn_cast<CallInst>(&I);
  const Function *Callee = Call ? Call->getCalledFunction() : nullptr;
  if (!Callee || Call->arg_size() != 1 || !Call->getType()->isFloatingPointTy())
    return std::nullopt;
  switch (Callee->getIntrinsicID()) {
  case Intrinsic::sin:
    return true;
  case Intrinsic::cos:
    return false;
  default:
    break;
  }
  StringRef Name = Callee->getName();
  if (Name == "sin" || Name == "sinf")
    return true;
  if (Name == "cos" || Name == "cosf")
    return false;
  return std::nullopt;
}

/// The tangent of sin(x) is cos(x) dx and that of cos(x) is -sin(x) dx:
/// each pair of sin and cos of the same value in a block becomes one
/// llvm.sincos, which costs little more than either (libm's sincos). NVPTX
/// keeps the separate libdevice calls.
static void fuseSineCosine(Function &F) {
  if (F.getParent()->getTargetTriple().isNVPTX())
    return;
  for (BasicBlock &BB : F) {
    DenseMap<Value *, CallInst *> Sines, Cosines;
    SmallVector<std::pair<CallInst *, CallInst *>, 4> Pairs;
    for (Instruction &I : BB) {
      std::optional<bool> Sine = isSineCall(I);
      if (!Sine)
        continue;
      auto *Call = cast<CallInst>(&I);
      Value *X = Call->getArgOperand(0);
      auto &Mine = *Sine ? Sines : Cosines;
      auto &Other = *Sine ? Cosines : Sines;
      if (Mine.count(X))
        continue;
      if (CallInst *Partner = Other.lookup(X)) {
        Pairs.push_back(*Sine ? std::pair(Call, Partner)
                              : std::pair(Partner, Call));
        Other.erase(X);
        continue;
      }
      Mine[X] = Call;
    }
    for (auto [Sin, Cos] : Pairs) {
      Instruction *First = Sin->comesBefore(Cos) ? Sin : Cos;
      IRBuilder<> B(First);
      Value *Both =
          B.CreateUnaryIntrinsic(Intrinsic::sincos, Sin->getArgOperand(0));
      CallInst *Calls[] = {Sin, Cos};
      Value *Parts[] = {B.CreateExtractValue(Both, 0),
                        B.CreateExtractValue(Both, 1)};
      for (auto [Call, Part] : zip(Calls, Parts)) {
        Part->takeName(Call);
        Call->replaceAllUsesWith(Part);
        Call->eraseFromParent();
      }
    }
  }
}

bool synthesizeForward(Synthesizer &S, const DiffRequest &Request,
                       Function &Primal, Function &Derivative) {
  if (!ForwardBuilder(S, Request, Primal, Derivative).run())
    return false;
  fuseSineCosine(Derivative);
  return true;
}

} // namespace fluxion
