//===- TypeAnalysis.h - What kind of data memory holds ----------*- C++ -*-===//
//
// Under opaque pointers a copy of N bytes says nothing about what it copies.
// Reverse mode must know: adjoints of floating data flow back, shadows of
// pointers are copied, integers carry nothing. The element type of the memory
// behind a pointer is deduced from every access the function makes to the
// same object: typed loads and stores, GEP element types, the allocated type
// of an alloca or global, and the other operand of a copy. Memory whose
// accesses disagree or that is never accessed is reported, not guessed.
//
//===----------------------------------------------------------------------===//
#ifndef FLUXION_TYPEANALYSIS_H
#define FLUXION_TYPEANALYSIS_H

#include <cstdint>

namespace llvm {
class Function;
class MemTransferInst;
class StoreInst;
class Type;
class Value;
} // namespace llvm

namespace fluxion {

/// Whether values of type \p Ty hold pointers: pointers, vectors of them
/// and aggregates containing them.
bool containsPointer(const llvm::Type *Ty);

/// The repeating element type of the memory \p Ptr points into (double,
/// float, ptr, a struct, ...), or null when it cannot be deduced.
llvm::Type *deduceElementType(llvm::Value *Ptr);

/// What pointer \p Ptr points to as the source declared it (TBAA of the
/// load that produced it, or of a store that keeps it: a `char *` field
/// points to characters), or null.
llvm::Type *declaredPointee(llvm::Value *Ptr);

/// The element type of the data \p Copy moves: from the accesses to either
/// side's memory, else from what either pointer is declared to point to.
llvm::Type *deduceCopiedType(llvm::MemTransferInst &Copy);

/// The type of the \p Size bytes at \p Ptr, from the accesses of the
/// function to exactly those bytes (through pointers derived from the same
/// base at constant offsets): a floating type, a pointer or an integer,
/// where integers count by what they are used for (bitcast to a float,
/// converted to a pointer, or used in arithmetic, comparisons and
/// indices). Null when nothing or disagreeing evidence is found.
llvm::Type *deduceTypeAt(llvm::Value *Ptr, uint64_t Size);

/// The type of the \p Size bytes at \p Ptr as the program declared them:
/// the field a struct GEP addresses, or the part of the declared layout of
/// the stack or global object \p Ptr points into (a field, a struct nested
/// in a larger one, a run of array elements); null otherwise. A copy
/// constructor's memcpy moves one member of the object being built.
llvm::Type *declaredTypeAt(llvm::Value *Ptr, uint64_t Size);

/// Records on each copy in \p F between pointer parameters that the C++
/// signature (the mangled name) declares as pointers to a scalar (double,
/// float, an integer) that element type, so that the copy stays typed once \p F
/// is inlined: Eigen's `smart_copy(const T *, const T *, T *)` copies Ts even
/// where nothing else says what the bytes hold (-O0, no TBAA).
void tagCopiesWithDeclaredTypes(llvm::Function &F);

/// Whether \p Store writes an integer that may be the bits of a float: a
/// constant or a copy of loaded bits (a small memcpy the optimizer turned
/// into `store i64 (load i64 p), q`), at bytes not known to hold integers
/// or pointers on either side.
bool mayStoreFloatBits(const llvm::StoreInst &Store);

} // namespace fluxion

#endif
