//===- Fiber.cpp - Stackful fibers with an x86-64 context switch ----------===//

#include "Fiber.h"
#include "Diagnostics.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <sys/mman.h>
#include <unistd.h>

// fxcpu_fiber_switch(From, To): push the System V callee-saved registers,
// save rsp in *From, load To and pop the target's registers. A new fiber's
// stack is laid out so that the pops load its function and argument into
// r12/r13 and the return lands in fxcpu_fiber_start.
asm(R"(
  .text
  .globl fxcpu_fiber_switch
  .type fxcpu_fiber_switch,@function
fxcpu_fiber_switch:
  .cfi_startproc
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  ret
  .cfi_endproc
  .size fxcpu_fiber_switch, .-fxcpu_fiber_switch

  .globl fxcpu_fiber_start
  .type fxcpu_fiber_start,@function
fxcpu_fiber_start:
  .cfi_startproc
  .cfi_undefined rip
  movq %r13, %rdi
  callq *%r12
  ud2
  .cfi_endproc
  .size fxcpu_fiber_start, .-fxcpu_fiber_start
)");

extern "C" void fxcpu_fiber_start();

namespace fluxion::cudacpu {

namespace {
size_t pageSize() { return static_cast<size_t>(sysconf(_SC_PAGESIZE)); }
} // namespace

size_t StackPool::stackSize() {
  static const size_t Size = [] {
    size_t Bytes = 64 * 1024;
    if (const char *Env = getenv("FLUXION_CUDA_CPU_STACK_SIZE"))
      Bytes = strtoull(Env, nullptr, 0);
    size_t Page = pageSize();
    return (std::max<size_t>(Bytes, 16 * 1024) + Page - 1) / Page * Page;
  }();
  return Size;
}

StackPool::~StackPool() {
  if (Base)
    munmap(Base, Slot * Capacity);
}

void StackPool::reserve(unsigned Count) {
  if (Count <= Capacity)
    return;
  if (Base)
    munmap(Base, Slot * Capacity);
  Slot = stackSize() + pageSize();
  // Stacks are only touched as deep as the kernel goes, so reserving the
  // full size for 1024 threads costs address space, not memory.
  void *Mem = mmap(nullptr, Slot * Count, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (Mem == MAP_FAILED)
    fatal("cannot map %u fiber stacks of %zu bytes", Count, stackSize());
  Base = static_cast<char *>(Mem);
  Capacity = Count;
  for (unsigned I = 0; I < Count; ++I)
    mprotect(Base + I * Slot, pageSize(), PROT_NONE);
}

void *StackPool::prepare(unsigned I, void (*Fn)(void *), void *Arg) {
  // Stacks are a multiple of the page size apart, so their tops would all
  // share one L1 cache set; shifting each by a few cache lines spreads them.
  size_t Color = (I % 64) * 64;
  auto *Top = reinterpret_cast<uintptr_t *>(Base + (I + 1) * Slot - Color);
  // The `ret` into fxcpu_fiber_start leaves rsp at the 16-byte aligned top,
  // so its call gives Fn the usual rsp % 16 == 8 at entry.
  *--Top = reinterpret_cast<uintptr_t>(&fxcpu_fiber_start);
  *--Top = 0;                                // rbp
  *--Top = 0;                                // rbx
  *--Top = reinterpret_cast<uintptr_t>(Fn);  // r12
  *--Top = reinterpret_cast<uintptr_t>(Arg); // r13
  *--Top = 0;                                // r14
  *--Top = 0;                                // r15
  return Top;
}

bool StackPool::isGuardPage(const void *Address) const {
  auto *P = static_cast<const char *>(Address);
  if (!Base || P < Base || P >= Base + Slot * Capacity)
    return false;
  return static_cast<size_t>(P - Base) % Slot < pageSize();
}

} // namespace fluxion::cudacpu
