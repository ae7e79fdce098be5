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
// In GPU code a thread's stacks draw their room from a tape arena before
// the heap: memory the runtime allocates for the launch, a slice per
// thread, so that reverse mode does not depend on the device's malloc heap.
// Every device tape starts with a pointer to the thread's arena state
// {next, end} (null without an arena), which a caller passes on to its
// callees' tapes; a stack remembers whether its buffer came from the heap.
//
//===----------------------------------------------------------------------===//
#ifndef FLUXION_TAPE_H
#define FLUXION_TAPE_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/Support/Alignment.h"

#include <vector>

namespace fluxion {

/// Tags \p Access, a load or store of a value kept in a tape, with the TBAA
/// type of that value under a root of Fluxion's own (so that it never claims
/// to be apart from the program's accesses): a derivative of the derivative
/// (nested reverse mode) moves tape slots, and needs to know what they hold.
void tagTapeAccess(llvm::Instruction &Access);

/// The layout of one function's tape.
class TapeLayout {
public:
  /// A device tape starts with the arena pointer (field 0, offset 0).
  explicit TapeLayout(bool DeviceCode);

  /// Adds a field and returns its index.
  unsigned addField(uint64_t Size, llvm::Align Alignment);
  /// Adds a growable stack header and returns its field index.
  unsigned addStack() {
    return addField(stackHeaderSize(DeviceCode), llvm::Align(8));
  }
  /// The address of field \p Field in the tape at \p Tape.
  llvm::Value *fieldAddress(llvm::IRBuilderBase &B, llvm::Value *Tape,
                            unsigned Field);
  /// Assigns offsets, patches every emitted address and returns the size.
  uint64_t finalize();

  /// {ptr buffer, i64 count, i64 capacity}, and on a GPU i64 heapOwned.
  static uint64_t stackHeaderSize(bool DeviceCode) {
    return DeviceCode ? 32 : 24;
  }
  static inline const llvm::Align MaxAlign = llvm::Align(16);

private:
  bool DeviceCode;
  struct Field {
    uint64_t Size;
    llvm::Align Alignment;
    llvm::SmallVector<llvm::GetElementPtrInst *, 2> Addresses;
  };
  std::vector<Field> Fields;
};

/// Emits the operations on a tape stack: a header {ptr buffer, i64 count,
/// i64 capacity[, i64 heapOwned]} in the tape and a buffer of fixed-size
/// elements.
///
/// On the host, the buffer a stack had is kept when the reverse sweep is
/// done, in a thread-local {ptr, i64 bytes} of its own, and the next
/// activation of the same derivative on that thread starts with it: tapes
/// are not faulted in again on every call (glibc gives large blocks back to
/// the system when they are freed). An activation that finds it taken (by a
/// recursive or nested one) allocates its own; of two, the larger is kept.
class TapeStackOps {
public:
  explicit TapeStackOps(llvm::Module &M);

  /// The thread-local slot that keeps a host stack's buffer between
  /// activations; null in GPU code.
  llvm::GlobalVariable *keptBuffer(const llvm::Twine &Name);

  /// Stores an empty header, with the buffer kept in \p Kept (from
  /// keptBuffer, or null) as its room.
  void init(llvm::IRBuilderBase &B, llvm::Value *Header,
            llvm::GlobalVariable *Kept, uint64_t ElemSize);
  /// Gives an empty stack room for \p Elements elements of \p ElemSize
  /// bytes, so that pushing that many never grows it: from the arena whose
  /// state \p Arena points to when it has that room (GPU code; Arena may be
  /// null at run time), else from the heap.
  void reserve(llvm::IRBuilderBase &B, llvm::Value *Header, llvm::Value *Arena,
               llvm::Value *Elements, uint64_t ElemSize);
  /// Reserves one element of \p ElemSize bytes and returns its address.
  llvm::Value *push(llvm::IRBuilderBase &B, llvm::Value *Header,
                    uint64_t ElemSize);
  /// The address of the most recently pushed element.
  llvm::Value *top(llvm::IRBuilderBase &B, llvm::Value *Header,
                   uint64_t ElemSize);
  /// Drops the most recently pushed element.
  void pop(llvm::IRBuilderBase &B, llvm::Value *Header);
  /// Frees the buffer if it came from the heap, or keeps it in \p Kept.
  void release(llvm::IRBuilderBase &B, llvm::Value *Header,
               llvm::GlobalVariable *Kept, uint64_t ElemSize);

  /// \p Bytes of heap memory for a tape; a failed allocation ends the
  /// program with a message.
  llvm::Value *allocate(llvm::IRBuilderBase &B, llvm::Value *Bytes,
                        const llvm::Twine &Name = "");

  /// Turns the stacks of derivative \p F, about to be differentiated itself
  /// (nested derivatives), back into plain heap buffers: a derivative of F
  /// gives each buffer a shadow the way it does any allocation, which a
  /// buffer kept in a thread-local slot cannot have.
  static void forgetKeptBuffers(llvm::Function &F);

  /// Bytes an arena allocation of \p Bytes takes (a multiple of MaxAlign).
  static llvm::Value *arenaBytes(llvm::IRBuilderBase &B, llvm::Value *Bytes);
  /// Stores the arena state pointer \p Arena into the device tape \p Tape.
  static void storeArena(llvm::IRBuilderBase &B, llvm::Value *Tape,
                         llvm::Value *Arena);
  /// The arena state pointer of the device tape \p Tape.
  static llvm::Value *loadArena(llvm::IRBuilderBase &B, llvm::Value *Tape);

private:
  llvm::Function &allocateFunction();
  llvm::Function &pushFunction();
  llvm::Function &reserveFunction();
  llvm::Function &ensureFunction();
  void freeAtThreadExit(llvm::IRBuilderBase &B, llvm::Value *Kept);
  llvm::Function &takeFunction();
  llvm::Function &keepFunction();
  llvm::Module &M;
  bool DeviceCode;
};

} // namespace fluxion

#endif
