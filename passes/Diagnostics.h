//===- Diagnostics.h - Errors and remarks reported to the user -*- C++ -*-===//
//
// Every problem Fluxion finds in user code is reported through LLVM's
// diagnostic machinery so that clang prints `error:` at the source line and
// exits with status 1; the engine never asserts on bad input.
//
//===----------------------------------------------------------------------===//
#ifndef FLUXION_DIAGNOSTICS_H
#define FLUXION_DIAGNOSTICS_H

#include "llvm/ADT/Twine.h"
#include "llvm/IR/BasicBlock.h"
#include "llvm/IR/DebugLoc.h"

namespace llvm {
class Function;
class Instruction;
class Type;
class Value;
} // namespace llvm

namespace fluxion {

/// Reports a compile error located at \p At (its debug location, or its
/// function when the module carries no line information).
void reportError(const llvm::Instruction &At, const llvm::Twine &Msg);

/// Reports a warning located as reportError does.
void reportWarning(const llvm::Instruction &At, const llvm::Twine &Msg);

/// Emits a `-Rpass=fluxion` remark at \p At.
void reportRemark(const llvm::Instruction &At, llvm::StringRef RemarkName,
                  const llvm::Twine &Msg);
/// Emits a `-Rpass=fluxion` remark at the start of the loop \p Header
/// begins, \p Start (its `for` or `while`, from the loop's metadata).
void reportRemark(const llvm::DebugLoc &Start, const llvm::BasicBlock &Header,
                  llvm::StringRef RemarkName, const llvm::Twine &Msg);

/// Emits a `-Rpass-missed=fluxion` remark at \p At: something the user
/// asked for that Fluxion could not do, without failing the compile.
void reportMissed(const llvm::Instruction &At, llvm::StringRef RemarkName,
                  const llvm::Twine &Msg);

/// Describes a value for a diagnostic: its name, or its printed form.
std::string describeValue(const llvm::Value &V);

/// A function's name as the source spells it: demangled C++
/// (`phys::potential(double, double)`), without the marks of Fluxion's
/// own copies.
std::string displayName(const llvm::Function &F);

/// A type in the source's words where it has them: double, float, int,
/// pointer, 64-bit integer, struct, vector of 2 double.
std::string sourceTypeName(const llvm::Type *Ty);

} // namespace fluxion

#endif
