//===- ShadowMemory.h - Shadows of allocations and of copies ----*- C++ -*-===//
//
// Memory that holds active data gets a shadow of the same size: zeroed stack
// or heap memory allocated beside the primal allocation, released with it
// (forward mode) or when the reverse sweep passes the allocation (reverse
// mode). Copies between shadowed buffers move tangents forward and adjoints
// backward element by element, with the element type from TypeAnalysis.
//
//===----------------------------------------------------------------------===//
#ifndef FLUXION_SHADOWMEMORY_H
#define FLUXION_SHADOWMEMORY_H

#include "DiffRequest.h"

#include "llvm/IR/IRBuilder.h"

namespace fluxion {

/// Custom: a function registered with __enzyme_allocation_like
/// (CustomRules.h).
/// Aligned: aligned_alloc and memalign (alignment, size); posix_memalign
/// becomes memalign in preprocessing.
enum class AllocationKind {
  None,
  Malloc,
  Calloc,
  Realloc,
  Aligned,
  CxxNew,
  Custom
};

/// What kind of heap allocation \p Call performs.
AllocationKind allocationKind(const llvm::CallBase &Call);
/// Whether \p Call releases memory (free, operator delete).
bool isDeallocation(const llvm::CallBase &Call);

/// Allocates and zeroes the shadow of \p Allocation (an alloca or an
/// allocation call already placed in the function \p B builds) next to it.
/// A realloc resizes \p ReallocatedShadow, the shadow of its old block,
/// keeping its contents as realloc keeps the primal's.
llvm::Value *createShadowAllocation(llvm::IRBuilderBase &B,
                                    llvm::Instruction &Allocation,
                                    llvm::Value *ReallocatedShadow = nullptr);
/// Releases \p Shadow the way \p Deallocation (a free or delete call)
/// releases its primal pointer.
void createShadowDeallocation(llvm::IRBuilderBase &B,
                              llvm::CallBase &Deallocation,
                              llvm::Value *Shadow);
/// Releases a shadow made by createShadowAllocation for \p Allocation. A
/// custom allocator's deallocator may take arguments of the allocation call;
/// \p Primal gives their values where \p B builds (the reverse sweep).
void releaseShadow(
    llvm::IRBuilderBase &B, llvm::Instruction &Allocation, llvm::Value *Shadow,
    llvm::function_ref<llvm::Value *(llvm::Value *)> Primal = nullptr);
/// Whether \p Object is GPU `__shared__` memory: a statically sized array,
/// whose shadow is another such array, or dynamic (`extern`) shared memory,
/// whose shadows follow the primal's part of the launch's dynamic shared
/// memory (constantShadow).
bool isSharedArray(const llvm::Value &Object);

/// The shadow of constant address \p Address, or null where it has none (a
/// function): null and undef are their own shadows; an address inside
/// shared memory moves to the same place in its shadow number \p Lane of
/// \p Copies (vector mode has one per lane), a constant for a static
/// array, computed at the entry of \p Into for dynamic shared memory (the
/// launch provides \p Copies + 1 times the primal's dynamic shared bytes,
/// and shadow k lies k + 1 primal sizes in); an address inside any other
/// global, which holds no derivative, moves into a zeroed sink of \p Mode.
/// Shared shadows hold no defined values until the derivative writes them.
llvm::Value *constantShadow(llvm::Function &Into, llvm::Constant *Address,
                            DiffMode Mode, unsigned Lane = 0,
                            unsigned Copies = 1);

/// The size in bytes of \p Alloca.
llvm::Value *allocaSize(llvm::IRBuilderBase &B, llvm::AllocaInst &Alloca);

/// Reverse of copying \p Size bytes of \p Elem elements from \p Src to
/// \p Dst: adds the adjoints in the destination shadow to the source shadow
/// and zeroes the destination shadow. \p MayOverlap for memmove.
void emitCopyAdjoint(llvm::IRBuilderBase &B, llvm::Type *Elem,
                     llvm::Value *DstShadow, llvm::Value *SrcShadow,
                     llvm::Value *Size, bool MayOverlap);

/// The augmented function's part of copying \p Size bytes of \p Elem
/// elements from \p Src to \p Dst: the shadows of the pointer fields are
/// copied between the shadows; other fields' shadows hold adjoints, which
/// the reverse sweep moves.
void emitPointerShadowCopy(llvm::IRBuilderBase &B, llvm::Type *Elem,
                           llvm::Value *DstShadow, llvm::Value *SrcShadow,
                           llvm::Value *Size);

/// Copies the whole \p Elem elements of the first \p Size bytes of \p Src to
/// \p Dst with loads and stores of their fields' types, for copies Fluxion
/// makes that a later derivative of the code may differentiate.
void emitTypedCopy(llvm::IRBuilderBase &B, llvm::Type *Elem, llvm::Value *Dst,
                   llvm::Value *Src, llvm::Value *Size);

} // namespace fluxion

#endif
