//===- Bridge.cpp - fluxion ops as calls the LLVM plugin differentiates ---===//
//
// --fluxion-lower-to-llvm hands derivatives to the LLVM plugin instead of
// synthesizing them in MLIR: placed after the upstream conversions to the
// llvm dialect, it turns each fluxion.fwddiff and fluxion.autodiff whose
// callee is now an llvm.func into a call of __enzyme_fwddiff or
// __enzyme_autodiff with Enzyme's markers, which the plugin differentiates
// once mlir-translate has made LLVM IR of the module. Whatever reaches the
// llvm dialect can be differentiated that way. A memref argument arrives
// as the fields of its descriptor: the two pointers take the activity
// ("dup": with the shadow's pointers), offset, sizes and strides are
// constant.
//
//===----------------------------------------------------------------------===//

#include "FluxionDialect.h"
#include "FluxionPasses.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include <type_traits>

using namespace mlir;

namespace fluxion {
namespace {

/// The value of the marker global `enzyme_<Name>`, declared where missing.
Value marker(OpBuilder &B, Location Loc, ModuleOp Module, StringRef Name) {
  std::string Global = ("enzyme_" + Name).str();
  if (!Module.lookupSymbol<LLVM::GlobalOp>(Global)) {
    OpBuilder::InsertionGuard Guard(B);
    B.setInsertionPointToStart(Module.getBody());
    LLVM::GlobalOp::create(B, Loc, B.getI32Type(), /*isConstant=*/false,
                           LLVM::Linkage::External, Global, Attribute());
  }
  Value Address = LLVM::AddressOfOp::create(
      B, Loc, LLVM::LLVMPointerType::get(B.getContext()), Global);
  return LLVM::LoadOp::create(B, Loc, B.getI32Type(), Address);
}

/// The value an index operand stood for before it was cast back from the
/// llvm dialect's integer.
Value lowered(Value V) {
  if (auto Cast = V.getDefiningOp<UnrealizedConversionCastOp>())
    if (Cast.getNumOperands() == 1)
      return Cast.getOperand(0);
  return V;
}

/// The fields of the memref descriptor \p Descriptor, in the order the
/// lowered function takes them: allocated and aligned pointers, offset,
/// sizes, strides.
SmallVector<Value> descriptorFields(OpBuilder &B, Location Loc,
                                    Value Descriptor) {
  auto Type = cast<LLVM::LLVMStructType>(Descriptor.getType());
  SmallVector<Value> Fields;
  for (auto [Pos, Field] : llvm::enumerate(Type.getBody())) {
    auto Array = dyn_cast<LLVM::LLVMArrayType>(Field);
    if (!Array) {
      Fields.push_back(LLVM::ExtractValueOp::create(
          B, Loc, Descriptor, ArrayRef<int64_t>{int64_t(Pos)}));
      continue;
    }
    for (unsigned Dim = 0; Dim < Array.getNumElements(); ++Dim)
      Fields.push_back(LLVM::ExtractValueOp::create(
          B, Loc, Descriptor, ArrayRef<int64_t>{int64_t(Pos), Dim}));
  }
  return Fields;
}

/// The arguments of the builtin call for direction \p Direction of \p Op
/// (whose "dup" arguments carry \p Width shadows each): the callee, then
/// each argument with its marker and shadow.
template <typename DiffOp>
FailureOr<SmallVector<Value>>
builtinArguments(DiffOp Op, OpBuilder &B, ModuleOp Module,
                 LLVM::LLVMFuncOp Callee, unsigned Direction, unsigned Width) {
  Location Loc = Op.getLoc();
  auto PtrTy = LLVM::LLVMPointerType::get(B.getContext());
  SmallVector<Value> Args{
      LLVM::AddressOfOp::create(B, Loc, PtrTy, Callee.getSymName())};
  auto Operands = Op->getOperands();
  unsigned Next = 0;
  for (StringRef Activity : Op.getActivities()) {
    bool Shadowed = Activity.starts_with("dup");
    Value Arg = lowered(Operands[Next++]);
    Value Shadow;
    if (Shadowed) {
      Shadow = lowered(Operands[Next + Direction]);
      Next += Width;
    }
    if (!LLVM::isCompatibleType(Arg.getType()))
      return Op.emitError("fluxion: --fluxion-lower-to-llvm passes scalars "
                          "and memrefs, not ")
             << Arg.getType();
    if (isa<LLVM::LLVMStructType>(Arg.getType())) {
      SmallVector<Value> Fields = descriptorFields(B, Loc, Arg);
      SmallVector<Value> Shadows;
      if (Shadowed)
        Shadows = descriptorFields(B, Loc, Shadow);
      for (auto [Pos, Field] : llvm::enumerate(Fields)) {
        bool Pointer = Pos < 2 && Shadowed;
        Args.push_back(marker(B, Loc, Module, Pointer ? "dup" : "const"));
        Args.push_back(Field);
        if (Pointer)
          Args.push_back(Shadows[Pos]);
      }
      continue;
    }
    if (Activity == "const")
      Args.push_back(marker(B, Loc, Module, "const"));
    else if (Shadowed)
      Args.push_back(marker(B, Loc, Module, "dup"));
    Args.push_back(Arg);
    if (Shadowed)
      Args.push_back(Shadow);
  }
  return Args;
}

/// Replaces \p Op by a call of \p Builtin per direction (vector forward
/// mode makes one call per tangent).
template <typename DiffOp>
LogicalResult lowerToCall(DiffOp Op, StringRef Builtin, ModuleOp Module) {
  auto Callee = Module.lookupSymbol<LLVM::LLVMFuncOp>(Op.getCallee());
  if (!Callee)
    return Op.emitError("fluxion: --fluxion-lower-to-llvm needs the callee "
                        "lowered to an llvm.func first");
  unsigned Width = 1;
  if constexpr (std::is_same_v<DiffOp, FwdDiffOp>)
    Width = Op.getWidth();
  OpBuilder B(Op);
  Location Loc = Op.getLoc();
  // Several adjoints or tangents come back as a struct of them, as in C.
  unsigned PerCall = Op->getNumResults() / Width;
  SmallVector<Type> Types(TypeRange(Op->getResultTypes()).take_front(PerCall));
  Type ResultTy = PerCall == 0 ? LLVM::LLVMVoidType::get(B.getContext())
                  : PerCall == 1
                      ? Types.front()
                      : LLVM::LLVMStructType::getLiteral(B.getContext(), Types);
  auto BuiltinTy = LLVM::LLVMFunctionType::get(
      ResultTy, {LLVM::LLVMPointerType::get(B.getContext())},
      /*isVarArg=*/true);
  if (!Module.lookupSymbol<LLVM::LLVMFuncOp>(Builtin)) {
    OpBuilder::InsertionGuard Guard(B);
    B.setInsertionPointToEnd(Module.getBody());
    LLVM::LLVMFuncOp::create(B, Loc, Builtin, BuiltinTy);
  }
  for (unsigned Direction = 0; Direction < Width; ++Direction) {
    FailureOr<SmallVector<Value>> Args =
        builtinArguments(Op, B, Module, Callee, Direction, Width);
    if (failed(Args))
      return failure();
    auto Call = LLVM::CallOp::create(
        B, Loc, BuiltinTy, FlatSymbolRefAttr::get(B.getContext(), Builtin),
        *Args);
    ResultRange Results = Op->getResults().slice(Direction * PerCall, PerCall);
    if (PerCall == 1)
      Results.front().replaceAllUsesWith(Call.getResult());
    else
      for (auto [Idx, Result] : llvm::enumerate(Results))
        Result.replaceAllUsesWith(LLVM::ExtractValueOp::create(
            B, Loc, Call.getResult(), ArrayRef<int64_t>{int64_t(Idx)}));
  }
  Op->erase();
  return success();
}

struct LowerToLLVMPass : PassWrapper<LowerToLLVMPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(LowerToLLVMPass)

  StringRef getArgument() const override { return "fluxion-lower-to-llvm"; }
  StringRef getDescription() const override {
    return "Turn fluxion.fwddiff and fluxion.autodiff of llvm.func callees "
           "into calls the Fluxion LLVM plugin differentiates";
  }
  void getDependentDialects(DialectRegistry &Registry) const override {
    Registry.insert<LLVM::LLVMDialect>();
  }

  void runOnOperation() override {
    ModuleOp Module = getOperation();
    for (Operation *Op : derivativeRequests(Module)) {
      if (Op->hasAttr("ret_activity")) {
        Op->emitError("fluxion: --fluxion-lower-to-llvm takes the default "
                      "result activity; --fluxion-differentiate takes others");
        return signalPassFailure();
      }
      LogicalResult Lowered =
          isa<FwdDiffOp>(Op)
              ? lowerToCall(cast<FwdDiffOp>(Op), "__enzyme_fwddiff", Module)
              : lowerToCall(cast<AutoDiffOp>(Op), "__enzyme_autodiff", Module);
      if (failed(Lowered))
        return signalPassFailure();
    }
  }
};

} // namespace

void registerBridgePass() { PassRegistration<LowerToLLVMPass>(); }

} // namespace fluxion
