// The raw cost of one fiber switch: two fibers handing the OS thread back
// and forth, without any scheduling.
#include "Fiber.h"

#include <benchmark/benchmark.h>

using namespace fluxion::cudacpu;

namespace {
FiberContext Main, Other;
void *OtherStart;
volatile bool Stop;

void pingPong(void *) {
  while (!Stop)
    fxcpu_fiber_switch(&Other, Main.StackPointer);
  fxcpu_fiber_switch(&Other, Main.StackPointer);
}

void BM_FiberSwitch(benchmark::State &State) {
  StackPool Pool;
  Pool.reserve(1);
  Stop = false;
  OtherStart = Pool.prepare(0, pingPong, nullptr);
  fxcpu_fiber_switch(&Main, OtherStart);
  for (auto _ : State)
    fxcpu_fiber_switch(&Main, Other.StackPointer);
  Stop = true;
  fxcpu_fiber_switch(&Main, Other.StackPointer);
  // Each iteration is a switch there and a switch back.
  State.SetItemsProcessed(State.iterations() * 2);
}
BENCHMARK(BM_FiberSwitch);
} // namespace

BENCHMARK_MAIN();
