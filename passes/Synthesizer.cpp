//===- Synthesizer.cpp - Builds and memoizes derivative functions ---------===//

#include "Synthesizer.h"
#include "Diagnostics.h"

#include "llvm/IR/AttributeMask.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Module.h"
#include "llvm/Transforms/Utils/Cloning.h"
#include "llvm/Transforms/Utils/Local.h"

using namespace llvm;

namespace fluxion {

StringRef activityName(ArgActivity A) {
  switch (A) {
  case ArgActivity::Const:
    return "const";
  case ArgActivity::Dup:
    return "dup";
  case ArgActivity::DupNoNeed:
    return "dupnoneed";
  case ArgActivity::Out:
    return "out";
  }
  llvm_unreachable("unknown activity");
}

Synthesizer::Synthesizer(Module &M, PreprocessCache &Preprocessed)
    : M(M), Preprocessed(Preprocessed), Stacks(M) {}

Type *tangentType(Type *Ty, unsigned Width) {
  if (Width == 1)
    return Ty;
  // Integers have tangents where they carry the bits of floats or pointers.
  if (Ty->isFloatingPointTy() || Ty->isPointerTy() || Ty->isIntegerTy())
    return FixedVectorType::get(Ty, Width);
  if (Ty->isVectorTy() || Ty->isAggregateType())
    return ArrayType::get(Ty, Width);
  return nullptr;
}

Value *extractLane(IRBuilderBase &B, Value *Lanes, unsigned Lane) {
  if (Lanes->getType()->isVectorTy())
    return B.CreateExtractElement(Lanes, Lane);
  return B.CreateExtractValue(Lanes, Lane);
}

Value *insertLane(IRBuilderBase &B, Value *Lanes, Value *V, unsigned Lane) {
  if (Lanes->getType()->isVectorTy())
    return B.CreateInsertElement(Lanes, V, Lane);
  return B.CreateInsertValue(Lanes, V, Lane);
}

SmallVector<Type *, 8>
Synthesizer::shadowedParamTypes(const DiffRequest &Request) const {
  SmallVector<Type *, 8> Types;
  for (auto [Arg, Activity] : zip(Request.Fn->args(), Request.Args)) {
    Types.push_back(Arg.getType());
    if (hasShadowArg(Activity))
      Types.push_back(tangentType(Arg.getType(), Request.Width));
  }
  return Types;
}

Type *Synthesizer::adjointsType(const DiffRequest &Request) const {
  SmallVector<Type *, 4> Adjoints;
  for (auto [Arg, Activity] : zip(Request.Fn->args(), Request.Args))
    if (Activity == ArgActivity::Out)
      Adjoints.push_back(Arg.getType());
  // No adjoints: void rather than an empty struct, which NVPTX cannot return.
  if (Adjoints.empty())
    return Type::getVoidTy(M.getContext());
  return StructType::get(M.getContext(), Adjoints);
}

static std::string derivativeName(StringRef Prefix, const DiffRequest &R) {
  std::string Name = (Prefix + "." + R.Fn->getName()).str();
  for (ArgActivity A : R.Args)
    Name += "." + activityName(A).str();
  if (R.ReturnShadow)
    Name += ".dupret";
  if (R.ErrorEstimate)
    Name += ".error";
  if (R.Width > 1)
    Name += ".width" + std::to_string(R.Width);
  if (R.Parallel != Parallelism::None)
    Name += ".parallel";
  return Name;
}

Function *Synthesizer::createInternal(FunctionType *Ty, const Twine &Name) {
  Function *F = Function::Create(Ty, GlobalValue::InternalLinkage, Name, M);
  F->addFnAttr(Attribute::NoUnwind);
  Created.push_back(F);
  return F;
}

/// Instructions in one block of a derivative beyond which it is not
/// vectorized. The SLP vectorizer's time grows faster than the size of a
/// block, and the reverse sweep of a loop-free primal of thousands of
/// statements is one block of tens of thousands of instructions, where it
/// took most of the compile and gained nothing (test/bench/compile).
static constexpr size_t MaxVectorizedBlock = 8192;

/// Marks \p F noimplicitfloat, which the vectorizers honour, when one of its
/// blocks is larger than MaxVectorizedBlock; given the \p Primal it derives,
/// says so at that block.
static void boundVectorizerTime(Function &F, const Function *Primal = nullptr) {
  auto Largest = max_element(
      F, [](BasicBlock &A, BasicBlock &B) { return A.size() < B.size(); });
  if (Largest == F.end() || Largest->size() <= MaxVectorizedBlock)
    return;
  F.addFnAttr(Attribute::NoImplicitFloat);
  if (!Primal)
    return;
  reportRemark(*Largest->getTerminator(), "LargeBlock",
               "not vectorizing the derivative of " + displayName(*Primal) +
                   ": a block of " + Twine(Largest->size()) +
                   " instructions would take too long to compile");
}

/// Leaves a failed derivative as a body-less declaration: the error has been
/// reported, so the module is never emitted, but it stays valid for the
/// verifier and for the rest of the pipeline.
static void abandon(Function *F) {
  if (!F)
    return;
  F->deleteBody();
  F->setLinkage(GlobalValue::ExternalLinkage);
}

void clonePrimalInto(Function &Primal, const DiffRequest &Request,
                     Function &Target, unsigned FirstParam,
                     StringRef ShadowSuffix, ValueToValueMapTy &VMap,
                     DenseMap<Value *, Value *> &Shadows) {
  auto ParamIt = std::next(Target.arg_begin(), FirstParam);
  for (auto [Arg, Activity] : zip(Primal.args(), Request.Args)) {
    VMap[&Arg] = &*ParamIt;
    ParamIt->setName(Arg.getName());
    ++ParamIt;
    if (!hasShadowArg(Activity))
      continue;
    ParamIt->setName(Arg.getName() + ShadowSuffix);
    Shadows[&Arg] = &*ParamIt;
    ++ParamIt;
  }
  SmallVector<ReturnInst *, 4> Returns;
  CloneFunctionInto(&Target, &Primal, VMap,
                    CloneFunctionChangeType::LocalChangesOnly, Returns);
  Target.setLinkage(GlobalValue::InternalLinkage);
  // The optimizer may have given the primal fastcc; derivatives are called
  // with the default convention.
  Target.setCallingConv(CallingConv::C);
  Target.removeFnAttr(Attribute::Memory);
  Target.removeRetAttrs(AttributeFuncs::typeIncompatible(
      Target.getReturnType(), Target.getAttributes().getRetAttrs()));
  // The derivative returns something else than the primal's parameter.
  for (Argument &Param : Target.args())
    Param.removeAttr(Attribute::Returned);
}

Function *Synthesizer::forward(const DiffRequest &Request) {
  if (Failed.count(Request))
    return nullptr;
  if (Function *F = Forward[Request])
    return F;
  Function &Primal = Preprocessed.get(*Request.Fn);
  Type *RetTy = Request.Fn->getReturnType();
  if (Request.ReturnActive || Request.ReturnShadow)
    RetTy = StructType::get(RetTy, tangentType(RetTy, Request.Width));
  auto *Ty = FunctionType::get(RetTy, shadowedParamTypes(Request), false);
  Function *F = createInternal(Ty, derivativeName("fluxion.fwd", Request));
  Forward[Request] = F;
  if (synthesizeForward(*this, Request, Primal, *F)) {
    boundVectorizerTime(*F, Request.Fn);
    return F;
  }
  Failed[Request] = true;
  abandon(F);
  return nullptr;
}

const ReverseFunctions *Synthesizer::reverse(const DiffRequest &Request) {
  if (Failed.count(Request))
    return nullptr;
  auto Found = Reverse.find(Request);
  if (Found != Reverse.end())
    return &Found->second;
  Function &Primal = Preprocessed.get(*Request.Fn);
  LLVMContext &Ctx = M.getContext();
  Type *PtrTy = PointerType::getUnqual(Ctx);
  Type *RetTy = Request.Fn->getReturnType();

  SmallVector<Type *, 8> AugParams{PtrTy};
  append_range(AugParams, shadowedParamTypes(Request));
  SmallVector<Type *, 8> RevParams = AugParams;
  if (Request.ReturnActive)
    RevParams.push_back(RetTy);

  ReverseFunctions &Fns = Reverse[Request];
  Type *AugRetTy = Request.ReturnShadow ? StructType::get(RetTy, RetTy) : RetTy;
  Fns.Augmented = createInternal(FunctionType::get(AugRetTy, AugParams, false),
                                 derivativeName("fluxion.aug", Request));
  Fns.Reverse =
      createInternal(FunctionType::get(adjointsType(Request), RevParams, false),
                     derivativeName("fluxion.rev", Request));
  Fns.TapeSize = new GlobalVariable(
      M, Type::getInt64Ty(Ctx), /*isConstant=*/true,
      GlobalValue::InternalLinkage, ConstantInt::get(Type::getInt64Ty(Ctx), 0),
      derivativeName("fluxion.tapesize", Request));
  if (synthesizeReverse(*this, Request, Primal, Fns)) {
    Fns.TapeSize->setInitializer(
        ConstantInt::get(Type::getInt64Ty(Ctx), Fns.TapeBytes));
    Fns.Complete = true;
    boundVectorizerTime(*Fns.Augmented);
    boundVectorizerTime(*Fns.Reverse);
    return &Fns;
  }
  Failed[Request] = true;
  abandon(Fns.Augmented);
  abandon(Fns.Reverse);
  return nullptr;
}

const CheckpointPlan *Synthesizer::checkpointPlan(Function &Callee,
                                                  std::string &WhyNot) {
  auto [It, New] = CheckpointPlans.try_emplace(&Callee);
  auto &[Plan, Reason] = It->second;
  if (New)
    Plan = planCheckpoint(Preprocessed.get(Callee), Preprocessed.analyses(),
                          Reason);
  WhyNot = Reason;
  return Plan ? &*Plan : nullptr;
}

const ReverseFunctions *
Synthesizer::combinedReverse(const DiffRequest &Request) {
  // The two sweeps run back to back: caller memory cannot change between
  // them.
  DiffRequest Combined = Request;
  Combined.CallerMemoryStable = true;
  return reverse(Combined);
}

Function *Synthesizer::gradient(const DiffRequest &Request, bool WithArena,
                                bool WithPrimal) {
  Function *&F = Gradients[{Request, WithArena, WithPrimal}];
  if (F)
    return F;
  const ReverseFunctions *Fns = combinedReverse(Request);
  if (!Fns)
    return nullptr;
  LLVMContext &Ctx = M.getContext();
  SmallVector<Type *, 8> Params;
  if (WithArena)
    Params = {PointerType::getUnqual(Ctx), Type::getInt64Ty(Ctx)};
  append_range(Params, shadowedParamTypes(Request));
  if (Request.ReturnActive)
    Params.push_back(Request.Fn->getReturnType());
  Type *ResultTy = adjointsType(Request);
  if (WithPrimal) {
    SmallVector<Type *, 4> Results;
    if (auto *Adjoints = dyn_cast<StructType>(ResultTy))
      append_range(Results, Adjoints->elements());
    Results.push_back(Request.Fn->getReturnType());
    ResultTy = StructType::get(Ctx, Results);
  }
  F = createInternal(FunctionType::get(ResultTy, Params, false),
                     derivativeName(std::string("fluxion.grad") +
                                        (WithArena ? ".arena" : "") +
                                        (WithPrimal ? ".primal" : ""),
                                    Request));

  IRBuilder<> B(BasicBlock::Create(Ctx, "entry", F));
  AllocaInst *Tape = B.CreateAlloca(
      ArrayType::get(B.getInt8Ty(), Fns->TapeBytes), nullptr, "tape");
  Tape->setAlignment(TapeLayout::MaxAlign);
  if (M.getTargetTriple().isNVPTX()) {
    // The arena state {next, end} over the memory [slice, slice + bytes),
    // empty for a null slice.
    Value *Arena = Constant::getNullValue(B.getPtrTy());
    if (WithArena) {
      Type *StateTy = StructType::get(B.getPtrTy(), B.getPtrTy());
      Arena = B.CreateAlloca(StateTy, nullptr, "arena");
      Value *Slice = F->getArg(0);
      Value *Bytes =
          B.CreateSelect(B.CreateIsNull(Slice), B.getInt64(0), F->getArg(1));
      B.CreateStore(Slice, B.CreateStructGEP(StateTy, Arena, 0));
      Value *EndAddress = B.CreateStructGEP(StateTy, Arena, 1);
      B.CreateStore(B.CreateGEP(B.getInt8Ty(), Slice, Bytes), EndAddress);
    }
    TapeStackOps::storeArena(B, Tape, Arena);
  }
  SmallVector<Value *, 8> Args{Tape};
  for (Argument &A : drop_begin(F->args(), WithArena ? 2 : 0))
    Args.push_back(&A);
  ArrayRef<Value *> AugArgs(Args.data(), Fns->Augmented->arg_size());
  CallInst *Aug = B.CreateCall(Fns->Augmented, AugArgs);
  CallInst *Rev = B.CreateCall(Fns->Reverse, Args);
  if (WithPrimal) {
    Value *Result = PoisonValue::get(ResultTy);
    unsigned NumAdjoints = ResultTy->getStructNumElements() - 1;
    for (unsigned I = 0; I < NumAdjoints; ++I)
      Result = B.CreateInsertValue(Result, B.CreateExtractValue(Rev, I), I);
    B.CreateRet(B.CreateInsertValue(Result, Aug, NumAdjoints));
  } else if (Rev->getType()->isVoidTy()) {
    B.CreateRetVoid();
  } else {
    B.CreateRet(Rev);
  }

  // The sweeps are joined in one body so that the tape becomes registers.
  InlineFunctionInfo IFI;
  InlineFunction(*Aug, IFI);
  InlineFunction(*Rev, IFI);
  boundVectorizerTime(*F, Request.Fn);
  return F;
}

Function *Synthesizer::tapeBytes(const DiffRequest &Request) {
  Function *&F = TapeBytesFunctions[Request];
  if (F)
    return F;
  const ReverseFunctions *Fns = combinedReverse(Request);
  if (!Fns)
    return nullptr;
  Function &Aug = *Fns->Augmented;
  Type *I64 = Type::getInt64Ty(M.getContext());
  F = createInternal(
      FunctionType::get(I64, Aug.getFunctionType()->params(), false),
      derivativeName("fluxion.tapebytes", Request));
  auto *Computed = dyn_cast_or_null<Instruction>(Fns->ArenaBytes);
  if (!Computed) {
    IRBuilder<>(BasicBlock::Create(M.getContext(), "entry", F))
        .CreateRet(Fns->ArenaBytes ? Fns->ArenaBytes
                                   : ConstantInt::get(I64, 0));
    return F;
  }
  // The augmented function's entry up to the sum of its reservations, which
  // reads only arguments and special registers.
  ValueToValueMapTy VMap;
  for (auto [From, To] : zip(Aug.args(), F->args()))
    VMap[&From] = &To;
  SmallVector<ReturnInst *, 4> Returns;
  CloneFunctionInto(F, &Aug, VMap, CloneFunctionChangeType::LocalChangesOnly,
                    Returns);
  auto *Bytes = cast<Instruction>(VMap[Computed]);
  BasicBlock *Entry = Bytes->getParent();
  Entry->splitBasicBlock(Bytes->getNextNode());
  Entry->getTerminator()->eraseFromParent();
  ReturnInst::Create(M.getContext(), Bytes, Entry);
  for (BasicBlock &BB : *F)
    if (&BB != Entry)
      BB.dropAllReferences();
  for (BasicBlock &BB : make_early_inc_range(*F))
    if (&BB != Entry)
      BB.eraseFromParent();
  for (Instruction &I : make_early_inc_range(llvm::reverse(*Entry)))
    if (isInstructionTriviallyDead(&I))
      I.eraseFromParent();
  return F;
}

} // namespace fluxion
