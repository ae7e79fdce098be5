//===- Fiber.h - Stackful fibers with an x86-64 context switch ------------===//
//
// A switch saves the callee-saved registers on the current stack and swaps
// stack pointers, which costs a few nanoseconds instead of the sigprocmask
// system calls of swapcontext. The floating-point environment is shared by
// all fibers of a thread, as device code never changes it.
//
//===----------------------------------------------------------------------===//

#ifndef FLUXION_CUDA_CPU_FIBER_H
#define FLUXION_CUDA_CPU_FIBER_H

#include <cstddef>
#include <cstdint>

namespace fluxion::cudacpu {

/// Saved state of a suspended fiber: its stack pointer.
struct FiberContext {
  void *StackPointer = nullptr;
};

/// Suspends the caller into From and resumes To.
extern "C" void fxcpu_fiber_switch(FiberContext *From, void *ToStackPointer);

/// Stacks for the fibers of one OS thread, each with a guard page below it so
/// that an overflow faults instead of corrupting its neighbour.
class StackPool {
public:
  StackPool() = default;
  StackPool(const StackPool &) = delete;
  StackPool &operator=(const StackPool &) = delete;
  ~StackPool();

  /// Makes at least Count stacks available.
  void reserve(unsigned Count);
  /// Prepares stack I to start Fn(Arg) on its first switch-in; returns the
  /// stack pointer to switch to.
  void *prepare(unsigned I, void (*Fn)(void *), void *Arg);
  /// True when Address is in a guard page of this pool.
  bool isGuardPage(const void *Address) const;

  static size_t stackSize();

private:
  char *Base = nullptr;
  size_t Slot = 0;
  unsigned Capacity = 0;
};

} // namespace fluxion::cudacpu

#endif // FLUXION_CUDA_CPU_FIBER_H
