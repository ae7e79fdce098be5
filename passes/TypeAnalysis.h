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

namespace llvm {
class Type;
class Value;
} // namespace llvm

namespace fluxion {

/// The repeating element type of the memory \p Ptr points into (double,
/// float, ptr, a struct, ...), or null when it cannot be deduced.
llvm::Type *deduceElementType(llvm::Value *Ptr);

} // namespace fluxion

#endif
