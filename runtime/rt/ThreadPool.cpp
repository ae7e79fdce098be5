//===- ThreadPool.cpp - The runtime's worker threads ----------------------===//
//
// One pool per process, created on first use. A parallel loop publishes a
// job (body, count, shared counter) under the mutex and bumps a generation
// number; workers wake, take indices until the counter runs past count, and
// report back. The caller takes indices too, so with one thread nothing is
// handed off at all. A loop started from inside a body (a kernel that calls
// back into the runtime) runs serially, since the pool is busy with the
// outer loop and waiting for it would deadlock.
//
//===----------------------------------------------------------------------===//
#include "ThreadPool.h"

#include "fluxion/runtime.h"

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

namespace fluxion::rt {
namespace {

thread_local bool InsideLoop = false;

unsigned defaultThreads() {
  if (const char *Env = std::getenv("FLUXION_NUM_THREADS")) {
    long N = std::strtol(Env, nullptr, 10);
    if (N > 0)
      return static_cast<unsigned>(N);
  }
  unsigned HW = std::thread::hardware_concurrency();
  return HW ? HW : 1;
}

class Pool {
public:
  Pool() { start(defaultThreads()); }
  ~Pool() { stop(); }

  unsigned size() {
    std::lock_guard<std::mutex> L(ConfigMutex);
    return NumThreads;
  }

  void resize(unsigned N) {
    std::lock_guard<std::mutex> L(ConfigMutex);
    stop();
    start(N ? N : defaultThreads());
  }

  void run(size_t Count, const std::function<void(size_t)> &Body) {
    if (Count == 0)
      return;
    // Checked before taking the lock: the outer loop holds it.
    if (InsideLoop) {
      runSerial(Count, Body);
      return;
    }
    std::lock_guard<std::mutex> L(ConfigMutex);
    if (Workers.empty() || Count == 1) {
      runSerial(Count, Body);
      return;
    }
    std::atomic<size_t> Next{0};
    {
      std::lock_guard<std::mutex> J(JobMutex);
      JobBody = &Body;
      JobCount = Count;
      JobNext = &Next;
      Pending = Workers.size();
      ++Generation;
    }
    WakeWorkers.notify_all();
    InsideLoop = true;
    drain(Body, Count, Next);
    InsideLoop = false;
    std::unique_lock<std::mutex> J(JobMutex);
    JobDone.wait(J, [&] { return Pending == 0; });
    JobBody = nullptr;
  }

private:
  static void runSerial(size_t Count, const std::function<void(size_t)> &Body) {
    bool Was = InsideLoop;
    InsideLoop = true;
    for (size_t I = 0; I < Count; ++I)
      Body(I);
    InsideLoop = Was;
  }

  static void drain(const std::function<void(size_t)> &Body, size_t Count,
                    std::atomic<size_t> &Next) {
    for (size_t I; (I = Next.fetch_add(1, std::memory_order_relaxed)) < Count;)
      Body(I);
  }

  void start(unsigned N) {
    NumThreads = N;
    Quit = false;
    // A new worker must not take the last finished job for a new one: it
    // starts from the generation current now (no job is in flight here).
    for (unsigned I = 1; I < N; ++I)
      Workers.emplace_back([this, G = Generation] { workerLoop(G); });
  }

  void stop() {
    {
      std::lock_guard<std::mutex> J(JobMutex);
      Quit = true;
    }
    WakeWorkers.notify_all();
    for (std::thread &T : Workers)
      T.join();
    Workers.clear();
  }

  void workerLoop(unsigned long long Seen) {
    InsideLoop = true;
    std::unique_lock<std::mutex> J(JobMutex);
    for (;;) {
      WakeWorkers.wait(J, [&] { return Quit || Generation != Seen; });
      if (Quit)
        return;
      Seen = Generation;
      const std::function<void(size_t)> *Body = JobBody;
      size_t Count = JobCount;
      std::atomic<size_t> *Next = JobNext;
      J.unlock();
      drain(*Body, Count, *Next);
      J.lock();
      if (--Pending == 0)
        JobDone.notify_one();
    }
  }

  // ConfigMutex serializes loops and resizes; JobMutex guards the job.
  std::mutex ConfigMutex, JobMutex;
  std::condition_variable WakeWorkers, JobDone;
  std::vector<std::thread> Workers;
  unsigned NumThreads = 1;
  bool Quit = false;
  unsigned long long Generation = 0;
  const std::function<void(size_t)> *JobBody = nullptr;
  size_t JobCount = 0;
  std::atomic<size_t> *JobNext = nullptr;
  size_t Pending = 0;
};

Pool &pool() {
  static Pool P;
  return P;
}

} // namespace

void parallelFor(size_t Count, const std::function<void(size_t)> &Body) {
  pool().run(Count, Body);
}

} // namespace fluxion::rt

extern "C" {

__attribute__((visibility("default"))) unsigned fluxion_num_threads(void) {
  return fluxion::rt::pool().size();
}

__attribute__((visibility("default"))) void
fluxion_set_num_threads(unsigned N) {
  fluxion::rt::pool().resize(N);
}

__attribute__((visibility("default"))) void
fluxion_parallel_for(size_t Count, void (*Body)(void *, size_t), void *Ctx) {
  fluxion::rt::parallelFor(Count, [&](size_t I) { Body(Ctx, I); });
}

} // extern "C"
