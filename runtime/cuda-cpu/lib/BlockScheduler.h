//===- BlockScheduler.h - The threads of one block as fibers --------------===//
//
// Threads run in index order until they block. A thread blocks at a
// __syncthreads() until every live thread of the block has arrived, and at a
// warp collective until every live lane named in its mask has arrived at one;
// the last arrival computes the results for the whole group. Threads that
// have exited no longer count, as on GPUs since Volta.
//
//===----------------------------------------------------------------------===//

#ifndef FLUXION_CUDA_CPU_BLOCKSCHEDULER_H
#define FLUXION_CUDA_CPU_BLOCKSCHEDULER_H

#include "Executor.h"
#include "Fiber.h"

#include <cstdlib>
#include <memory>
#include <vector>

namespace fluxion::cudacpu {

enum class WarpOp : uint8_t {
  Sync,
  Shfl, // Arg holds the FxcpuShflMode.
  Vote, // Arg holds the FxcpuVoteMode.
  MatchAny,
  MatchAll,
  Redux, // Arg holds the FxcpuReduceOp.
};

class BlockScheduler {
public:
  BlockScheduler() = default;
  BlockScheduler(const BlockScheduler &) = delete;
  BlockScheduler &operator=(const BlockScheduler &) = delete;

  /// Runs block number BlockLinear of L to completion on this OS thread.
  void run(const Launch &L, uint64_t BlockLinear);

  /// The scheduler of the calling OS thread.
  static BlockScheduler &forThisThread();
  /// The scheduler running a block on this OS thread, or null.
  static BlockScheduler *active();

  uint32_t specialRegister(uint32_t Which) const;
  void *sharedBase() { return Shared.get(); }
  void *reservedShared() { return Shared.get() + SharedSize; }
  size_t sharedSize() const { return SharedSize; }
  int32_t syncThreads(uint32_t ReduceOp, bool Pred);
  uint64_t warpCollective(WarpOp Op, uint32_t Arg, uint32_t Mask,
                          uint64_t Value, uint32_t B, uint32_t C);
  uint32_t activeMask();
  /// Runs the next ready thread, if any, before the caller continues.
  void yield();
  /// Describes the running thread for crash reports.
  int describe(char *Buf, size_t Size) const;
  bool isStackGuard(const void *Address) const {
    return Stacks.isGuardPage(Address);
  }

private:
  enum class State : uint8_t { Ready, AtBarrier, AtWarpOp, AtActiveMask, Done };

  struct Thread {
    FiberContext Context;
    uint32_t Tid[3];
    uint32_t Index;
    // Circular list of the live threads, by index.
    uint32_t PrevLive, NextLive;
    State St;
    // Operands and result of the warp collective the thread waits at.
    WarpOp Op;
    uint32_t OpArg, Mask, B, C;
    uint64_t Value, Result;
  };

  struct Warp {
    uint32_t Live = 0;     // Lanes that have not exited.
    uint32_t Runnable = 0; // Live lanes not waiting for anything.
    uint32_t Arrived = 0;  // Lanes waiting at a warp collective.
    uint32_t AtActiveMask = 0;
  };

  static void threadMain(void *Arg);
  [[noreturn]] void exitCurrent();

  Thread &lane(const Warp &W, unsigned Lane) {
    return Threads[(&W - Warps.data()) * 32 + Lane];
  }
  Warp &warpOf(const Thread &T) { return Warps[T.Index / 32]; }
  static uint32_t laneBit(const Thread &T) { return 1u << (T.Index % 32); }

  void block(Thread &T, State S);
  void makeReady(Thread &T);
  /// Suspends the current thread until it is made ready again.
  void waitTurn();
  void switchTo(Thread &Next);
  Thread *findReady(uint32_t From);
  void releaseBarrier();
  void resolve(Warp &W, uint32_t Group);
  /// Resolves every collective of W that the lanes still alive complete.
  void resolveCompleted(Warp &W);
  void resolveActiveMask(Warp &W);
  [[noreturn]] void deadlock();

  const Launch *L = nullptr;
  uint32_t BlockIdx[3] = {0, 0, 0};
  uint32_t NumThreads = 0;
  std::vector<Thread> Threads;
  std::vector<Warp> Warps;
  StackPool Stacks;
  std::unique_ptr<char, void (*)(void *)> Shared{nullptr, free};
  size_t SharedSize = 0, SharedCapacity = 0;
  FiberContext SchedulerContext;
  Thread *Current = nullptr;
  uint32_t Live = 0;
  uint32_t AtBarrier = 0;
  // Reductions of the barrier being filled and of the one last released.
  int32_t Count = 0, LastCount = 0;
  bool All = true, Any = false, LastAll = true, LastAny = false;
};

} // namespace fluxion::cudacpu

#endif // FLUXION_CUDA_CPU_BLOCKSCHEDULER_H
