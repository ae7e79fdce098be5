//===- Executor.cpp - The pool of OS threads that runs blocks -------------===//

#include "Executor.h"
#include "BlockScheduler.h"
#include "Diagnostics.h"

#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>
#include <unistd.h>
#include <vector>

namespace fluxion::cudacpu {

namespace {

/// Reports a fault inside a kernel with the block and thread that caused
/// it, then lets the default action end the process.
void onFault(int Signal, siginfo_t *Info, void *) {
  char Buf[512];
  int N = 0;
  if (BlockScheduler *S = BlockScheduler::active()) {
    N = snprintf(Buf, sizeof Buf, "fluxion-cuda-cpu: %s in ",
                 Signal == SIGSEGV ? "invalid memory access" : "bus error");
    N += S->describe(Buf + N, sizeof Buf - N);
    if (S->isStackGuard(Info->si_addr))
      N += snprintf(Buf + N, sizeof Buf - N,
                    ": thread stack overflow (raise FLUXION_CUDA_CPU_STACK_SIZE"
                    ", now %zu bytes)",
                    StackPool::stackSize());
    N += snprintf(Buf + N, sizeof Buf - N, "\n");
    if (write(STDERR_FILENO, Buf, N) < 0)
      N = 0;
  }
  signal(Signal, SIG_DFL);
}

/// Fiber stacks have guard pages; the fault handler needs a stack of its own
/// to report an overflow of one.
void prepareThreadForFaults() {
  thread_local bool Done = false;
  if (Done)
    return;
  Done = true;
  stack_t Alt;
  Alt.ss_size = 64 * 1024;
  Alt.ss_sp = malloc(Alt.ss_size);
  Alt.ss_flags = 0;
  sigaltstack(&Alt, nullptr);
  static std::once_flag Once;
  std::call_once(Once, [] {
    struct sigaction SA;
    memset(&SA, 0, sizeof SA);
    SA.sa_sigaction = onFault;
    SA.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&SA.sa_mask);
    sigaction(SIGSEGV, &SA, nullptr);
    sigaction(SIGBUS, &SA, nullptr);
  });
}

void runBlocks(Launch &L) {
  prepareThreadForFaults();
  BlockScheduler &S = BlockScheduler::forThisThread();
  uint64_t Total = L.Grid.count();
  for (uint64_t B; (B = L.NextBlock.fetch_add(1)) < Total;)
    S.run(L, B);
}

/// Workers sleep between launches; the launching thread runs blocks too.
class Pool {
public:
  explicit Pool(unsigned Helpers) {
    for (unsigned I = 0; I < Helpers; ++I)
      Workers.emplace_back([this] { work(); });
  }

  void run(Launch &L) {
    uint64_t Blocks = L.Grid.count();
    unsigned Helpers =
        static_cast<unsigned>(std::min<uint64_t>(Workers.size(), Blocks - 1));
    if (Helpers == 0) {
      runBlocks(L);
      return;
    }
    {
      std::lock_guard<std::mutex> Lock(M);
      Current = &L;
      Wanted = Helpers;
      Busy = Helpers;
      ++Generation;
    }
    WakeUp.notify_all();
    runBlocks(L);
    std::unique_lock<std::mutex> Lock(M);
    Finished.wait(Lock, [&] { return Busy == 0; });
    Current = nullptr;
  }

private:
  void work() {
    uint64_t Seen = 0;
    std::unique_lock<std::mutex> Lock(M);
    for (;;) {
      WakeUp.wait(Lock, [&] { return Generation != Seen && Wanted > 0; });
      Seen = Generation;
      --Wanted;
      Launch *L = Current;
      Lock.unlock();
      runBlocks(*L);
      Lock.lock();
      if (--Busy == 0)
        Finished.notify_one();
    }
  }

  std::vector<std::thread> Workers;
  std::mutex M;
  std::condition_variable WakeUp, Finished;
  Launch *Current = nullptr;
  uint64_t Generation = 0;
  unsigned Wanted = 0, Busy = 0;
};

/// Launches from several host threads run one at a time, as they would on
/// one GPU's default stream.
std::mutex LaunchLock;

} // namespace

unsigned executorThreads() {
  static const unsigned N = [] {
    if (const char *Env = getenv("FLUXION_CUDA_CPU_THREADS")) {
      int V = atoi(Env);
      if (V >= 1)
        return static_cast<unsigned>(V);
    }
    return std::max(1u, std::thread::hardware_concurrency());
  }();
  return N;
}

void runLaunch(Launch &L) {
  std::lock_guard<std::mutex> Lock(LaunchLock);
  // Intentionally leaked: workers block in it until the process exits.
  static Pool *P = new Pool(executorThreads() - 1);
  P->run(L);
}

const void *currentSharedBase() {
  BlockScheduler *S = BlockScheduler::active();
  return S ? S->sharedBase() : nullptr;
}

size_t currentSharedSize() {
  BlockScheduler *S = BlockScheduler::active();
  return S ? S->sharedSize() : 0;
}

} // namespace fluxion::cudacpu
