//===- Tape.h - Memory that carries values from the forward to the reverse sweep
//-*- C++ -*-===//
//
// The augmented forward function of a reverse-mode derivative writes what the
// reverse sweep needs into a tape; the reverse function reads it back. A
// function's tape is a block of bytes whose layout is only known once the
// reverse sweep has been synthesized (values are cached on demand), so field
// addresses are emitted as byte offsets and patched when the layout is
// finalized. Values defined outside loops get one field each; values defined
// in a loop get a stack (a growable buffer) pushed once per iteration and
// popped in reverse order. In the combined gradient the tape is a stack
// allocation, which SROA turns back into registers.
//
//===----------------------------------------------------------------------===//
#ifndef FLUXION_TAPE_H
#define FLUXION_TAPE_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/Support/Alignment.h"

#include <vector>

namespace fluxion {

/// The layout of one function's tape.
class TapeLayout {
public:
  /// Adds a field and returns its index.
  unsigned addField(uint64_t Size, llvm::Align Alignment);
  /// Adds a growable stack header and returns its field index.
  unsigned addStack() { return addField(StackHeaderSize, llvm::Align(8)); }
  /// The address of field \p Field in the tape at \p Tape.
  llvm::Value *fieldAddress(llvm::IRBuilderBase &B, llvm::Value *Tape,
                            unsigned Field);
  /// Assigns offsets, patches every emitted address and returns the size.
  uint64_t finalize();

  static constexpr uint64_t StackHeaderSize = 24;
  static inline const llvm::Align MaxAlign = llvm::Align(16);

private:
  struct Field {
    uint64_t Size;
    llvm::Align Alignment;
    llvm::SmallVector<llvm::GetElementPtrInst *, 2> Addresses;
  };
  std::vector<Field> Fields;
};

/// Emits the operations on a tape stack: a header {ptr buffer, i64 count,
/// i64 capacity} in the tape and a heap buffer of fixed-size elements.
class TapeStackOps {
public:
  explicit TapeStackOps(llvm::Module &M) : M(M) {}

  /// Stores an empty header.
  void init(llvm::IRBuilderBase &B, llvm::Value *Header);
  /// Gives an empty stack room for \p Elements elements of \p ElemSize
  /// bytes, so that pushing that many never grows it.
  void reserve(llvm::IRBuilderBase &B, llvm::Value *Header,
               llvm::Value *Elements, uint64_t ElemSize);
  /// Reserves one element of \p ElemSize bytes and returns its address.
  llvm::Value *push(llvm::IRBuilderBase &B, llvm::Value *Header,
                    uint64_t ElemSize);
  /// The address of the most recently pushed element.
  llvm::Value *top(llvm::IRBuilderBase &B, llvm::Value *Header,
                   uint64_t ElemSize);
  /// Drops the most recently pushed element.
  void pop(llvm::IRBuilderBase &B, llvm::Value *Header);
  /// Frees the buffer.
  void release(llvm::IRBuilderBase &B, llvm::Value *Header);

private:
  llvm::Function &pushFunction();
  llvm::Module &M;
};

} // namespace fluxion

#endif
