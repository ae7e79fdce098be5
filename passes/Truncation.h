//===- Truncation.h - Computing in a narrower float format ------*- C++ -*-===//
//
// Enzyme's truncation builtins and its -enzyme-truncate-all option run code
// as if its floating-point operations had been written for a narrower format,
// for mixed-precision experiments. It is not differentiation.
//
//   __enzyme_truncate_op_func(fn, FROM, TO)     a copy of fn (and of the
//   __enzyme_truncate_mem_func(fn, FROM, TO)    functions it calls) computing
//                                               FROM operations in TO
//   __enzyme_truncate_mem_value(x, FROM, TO)    x in the truncated form
//   __enzyme_expand_mem_value(x, FROM, TO)      x back in the FROM form
//
// FROM is a width (64, 32 or 16: IEEE double, float, half); TO is a width or,
// as (fn, FROM, E, M), an exponent and a mantissa width ("E-M" in the
// option). The semantics Fluxion implements:
//
// * Each FROM-typed arithmetic operation (fadd, fsub, fmul, fdiv, frem,
//   fneg), comparison, math intrinsic and libm call reads its operands
//   rounded to TO and rounds its result to TO. Values keep the FROM type in
//   registers and memory, holding numbers TO can represent.
// * Memory mode uses the same representation (Enzyme stores MPFR handles
//   there instead): a truncated value is a FROM value holding a rounded
//   number, so __enzyme_truncate_mem_value rounds, __enzyme_expand_mem_value
//   only converts to the declared result type, and a mem-mode copy is the
//   op-mode copy.
// * A TO that is an IEEE format of the machine (binary32 = 32 = 8-23,
//   binary16 = 16 = 5-10) is computed in that type: each operation is the
//   IEEE operation of that format, with its exponent range (overflow to
//   infinity, subnormals).
// * Any other E-M rounds each result, computed in FROM from rounded
//   operands, to M + 1 significant bits, to nearest with ties to even
//   (rounding through FROM first cannot change +, -, *, / or sqrt while
//   2(M + 1) + 2 <= FROM's precision), and keeps FROM's exponent range: E
//   is not emulated. Enzyme's MPFR runtime does the same (it never narrows
//   MPFR's exponent range): its truncate-all test prints 897581056 for
//   11-52to3-7, far beyond what a 3-bit exponent holds. Enzyme gives MPFR
//   M bits of precision where IEEE has M + 1; Fluxion keeps IEEE's count,
//   so that 11-52to8-23 rounds as 64to32 does (Enzyme's tests print the
//   same numbers either way).
//
//===----------------------------------------------------------------------===//
#ifndef FLUXION_TRUNCATION_H
#define FLUXION_TRUNCATION_H

#include "BuiltinCall.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/IR/PassManager.h"
#include "llvm/Support/Error.h"

#include <string>

namespace llvm {
class CallBase;
class LLVMContext;
class Type;
class Value;
} // namespace llvm

namespace fluxion {

/// A binary floating-point format: exponent and stored mantissa widths.
struct FloatFormat {
  unsigned Exponent = 0;
  unsigned Mantissa = 0;

  /// The IEEE format \p Bits wide (16, 32, 64), if Fluxion knows it.
  static std::optional<FloatFormat> ofWidth(uint64_t Bits);
  /// The LLVM type of this format (half, float, double), if it has one.
  llvm::Type *nativeType(llvm::LLVMContext &Ctx) const;
  /// The width of this format if it is IEEE's half, float or double.
  std::optional<unsigned> width() const;
  /// "64" for an IEEE format, "E-M" for another.
  std::string str() const;
  bool operator==(const FloatFormat &O) const {
    return Exponent == O.Exponent && Mantissa == O.Mantissa;
  }
};

/// Computing FROM-typed code as if in format To.
struct Truncation {
  FloatFormat From, To;

  /// "64to32", "64to3-7".
  std::string str() const { return From.str() + "to" + To.str(); }
};

/// Parses the -fluxion-truncate-all value: truncations such as "64to32" or
/// "11-52to3-7", separated by ';', applied in order; "" is none.
llvm::Expected<llvm::SmallVector<Truncation, 2>>
parseTruncations(llvm::StringRef Spec);

/// Rewrites every function defined in the module as \p Truncations say
/// (-fluxion-truncate-all). Runs before the AD builtins are lowered, so
/// derivatives are taken of the truncated code, as in Enzyme.
class TruncateAllPass : public llvm::PassInfoMixin<TruncateAllPass> {
public:
  explicit TruncateAllPass(std::string Spec) : Spec(std::move(Spec)) {}
  llvm::PreservedAnalyses run(llvm::Module &M, llvm::ModuleAnalysisManager &);
  static bool isRequired() { return true; }

private:
  std::string Spec;
};

/// Whether \p Kind is one of the truncation builtins.
bool isTruncationBuiltin(BuiltinKind Kind);

/// What a call of a truncation builtin (named \p Spelling in messages) is
/// replaced with: the truncated copy of its function, or the converted
/// value. An error describes a malformed call.
llvm::Expected<llvm::Value *> lowerTruncationBuiltin(llvm::CallBase &Call,
                                                     BuiltinKind Kind,
                                                     llvm::StringRef Spelling);

} // namespace fluxion

#endif
