//===- Diagnostics.cpp - Errors and remarks reported to the user ----------===//

#include "Diagnostics.h"

#include "InstructionSupport.h"

#include "llvm/Demangle/Demangle.h"
#include "llvm/IR/CFG.h"
#include "llvm/IR/DebugInfo.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/DerivedTypes.h"
#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/Instruction.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace fluxion {

/// The location of \p I, or of the code that leads to it where the
/// compiler made \p I up without one (the shared block of computed gotos,
/// say): an earlier instruction of its block, else a predecessor's branch.
static DebugLoc nearestLocation(const Instruction &I) {
  if (I.getDebugLoc())
    return I.getDebugLoc();
  for (const Instruction *Prev = I.getPrevNode(); Prev;
       Prev = Prev->getPrevNode())
    if (Prev->getDebugLoc())
      return Prev->getDebugLoc();
  for (const BasicBlock *Pred : predecessors(I.getParent()))
    if (DebugLoc Loc = Pred->getTerminator()->getDebugLoc())
      return Loc;
  return DebugLoc();
}

static void report(const Instruction &At, const Twine &Msg,
                   DiagnosticSeverity Severity) {
  const Function &F = *At.getFunction();
  DebugLoc Located = nearestLocation(At);
  DiagnosticLocation Loc(Located);
  std::string Text;
  raw_string_ostream OS(Text);
  OS << "fluxion: " << Msg;
  // Without line information clang cannot place the error, so name the
  // enclosing function instead.
  if (!Loc.isValid()) {
    StringRef Name = F.getName();
    Name.consume_front("fluxion.primal.");
    OS << " (in function '" << Name << "')";
  }
  // Code inlined from a header (a math wrapper, a library template) is
  // located there; the user's own line is where it was inlined into.
  if (const DILocation *Inner = Located.get()) {
    const DILocation *Outer = Inner;
    while (const DILocation *Caller = Outer->getInlinedAt())
      Outer = Caller;
    if (Outer != Inner && Outer->getFilename() != Inner->getFilename())
      OS << " (inlined into " << Outer->getFilename() << ":" << Outer->getLine()
         << ":" << Outer->getColumn() << ")";
  }
  F.getContext().diagnose(
      DiagnosticInfoUnsupported(F, OS.str(), Loc, Severity));
}

void reportError(const Instruction &At, const Twine &Msg) {
  report(At, Msg, DS_Error);
}

void reportWarning(const Instruction &At, const Twine &Msg) {
  report(At, Msg, DS_Warning);
}

/// Where a remark about \p At points: its own line, or for an instruction
/// without one (a phi, most often) the first line of its block.
static DiagnosticLocation remarkLocation(const Instruction &At) {
  auto HasLine = [](const Instruction &I) {
    return I.getDebugLoc() && I.getDebugLoc().getLine();
  };
  if (HasLine(At))
    return At.getDebugLoc();
  auto Located = find_if(*At.getParent(), HasLine);
  return Located == At.getParent()->end() ? DiagnosticLocation()
                                          : Located->getDebugLoc();
}

void reportRemark(const Instruction &At, StringRef RemarkName,
                  const Twine &Msg) {
  const Function &F = *At.getFunction();
  OptimizationRemark Remark("fluxion", RemarkName, remarkLocation(At),
                            At.getParent());
  Remark << Msg.str();
  F.getContext().diagnose(Remark);
}

void reportRemark(const DebugLoc &Start, const BasicBlock &Header,
                  StringRef RemarkName, const Twine &Msg) {
  if (!Start) {
    reportRemark(*Header.getFirstNonPHIOrDbg(), RemarkName, Msg);
    return;
  }
  OptimizationRemark Remark("fluxion", RemarkName, Start, &Header);
  Remark << Msg.str();
  Header.getContext().diagnose(Remark);
}

void reportMissed(const Instruction &At, StringRef RemarkName,
                  const Twine &Msg) {
  const Function &F = *At.getFunction();
  OptimizationRemarkMissed Remark("fluxion", RemarkName, &At);
  Remark << Msg.str();
  F.getContext().diagnose(Remark);
}

std::string describeValue(const Value &V) {
  if (V.hasName())
    return ("'" + V.getName() + "'").str();
  // A local variable's name survives in its debug records (clang discards
  // value names): a declaration, or at -O2 the markers of its assignments.
  if (const auto *Slot = dyn_cast<AllocaInst>(&V)) {
    for (DbgVariableRecord *Declare :
         findDVRDeclares(const_cast<AllocaInst *>(Slot)))
      return ("'" + Declare->getVariable()->getName() + "'").str();
    for (DbgVariableRecord *Marker : at::getDVRAssignmentMarkers(Slot))
      return ("'" + Marker->getVariable()->getName() + "'").str();
  }
  if (const auto *I = dyn_cast<Instruction>(&V))
    return (Twine("the result of '") + I->getOpcodeName() + "'").str();
  if (const auto *A = dyn_cast<Argument>(&V))
    return ("parameter " + Twine(A->getArgNo() + 1)).str();
  std::string Text;
  raw_string_ostream OS(Text);
  V.print(OS);
  StringRef Trimmed = StringRef(Text).trim();
  return ("'" + Trimmed + "'").str();
}

std::string displayName(const Function &F) { return demangle(userName(F)); }

std::string sourceTypeName(const Type *Ty) {
  if (Ty->isDoubleTy())
    return "double";
  if (Ty->isFloatTy())
    return "float";
  if (Ty->isHalfTy())
    return "_Float16";
  if (Ty->isX86_FP80Ty())
    return "long double";
  if (Ty->isPointerTy())
    return "pointer";
  if (Ty->isVoidTy())
    return "void";
  if (Ty->isIntegerTy(1))
    return "bool";
  if (Ty->isIntegerTy(8))
    return "char";
  if (Ty->isIntegerTy(32))
    return "int";
  if (Ty->isIntegerTy())
    return std::to_string(Ty->getIntegerBitWidth()) + "-bit integer";
  if (const auto *VT = dyn_cast<FixedVectorType>(Ty))
    return "vector of " + std::to_string(VT->getNumElements()) + " " +
           sourceTypeName(VT->getElementType());
  if (const auto *AT = dyn_cast<ArrayType>(Ty))
    return "array of " + std::to_string(AT->getNumElements()) + " " +
           sourceTypeName(AT->getElementType());
  if (Ty->isStructTy())
    return "struct";
  std::string Text;
  raw_string_ostream OS(Text);
  Ty->print(OS);
  return Text;
}

} // namespace fluxion
