//===- BlockScheduler.cpp - The threads of one block as fibers ------------===//

#include "BlockScheduler.h"
#include "../DeviceAbi.h"
#include "Diagnostics.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace fluxion::cudacpu {

namespace {
thread_local BlockScheduler *Active = nullptr;

uint32_t lowestLane(uint32_t Mask) { return __builtin_ctz(Mask); }
} // namespace

BlockScheduler &BlockScheduler::forThisThread() {
  // Never destroyed: worker threads live as long as the process.
  thread_local BlockScheduler *S = new BlockScheduler;
  return *S;
}

BlockScheduler *BlockScheduler::active() { return Active; }

void BlockScheduler::run(const Launch &Launch, uint64_t BlockLinear) {
  L = &Launch;
  const Dim3 &G = L->Grid, &Blk = L->Block;
  BlockIdx[0] = BlockLinear % G.X;
  BlockIdx[1] = BlockLinear / G.X % G.Y;
  BlockIdx[2] = BlockLinear / (uint64_t(G.X) * G.Y);
  NumThreads = Blk.count();

  // The reserved area follows the launch's shared memory.
  SharedSize = (L->SharedBytes + 15) / 16 * 16;
  size_t Needed = SharedSize + FXCPU_RESERVED_SHARED_BYTES;
  if (Needed > SharedCapacity) {
    SharedCapacity = (Needed + 63) / 64 * 64;
    Shared.reset(static_cast<char *>(aligned_alloc(64, SharedCapacity)));
    if (!Shared)
      fatal("cannot allocate %zu bytes of shared memory", SharedCapacity);
  }

  Stacks.reserve(NumThreads);
  Threads.resize(NumThreads);
  for (uint32_t I = 0; I < NumThreads; ++I) {
    Thread &T = Threads[I];
    T.Tid[0] = I % Blk.X;
    T.Tid[1] = I / Blk.X % Blk.Y;
    T.Tid[2] = I / (Blk.X * Blk.Y);
    T.Index = I;
    T.PrevLive = I == 0 ? NumThreads - 1 : I - 1;
    T.NextLive = I + 1 == NumThreads ? 0 : I + 1;
    T.St = State::Ready;
    T.Context.StackPointer = Stacks.prepare(I, &threadMain, &T);
  }
  Warps.assign((NumThreads + 31) / 32, Warp());
  for (size_t W = 0; W < Warps.size(); ++W) {
    uint32_t Lanes = std::min<uint32_t>(32, NumThreads - W * 32);
    Warps[W].Live = Warps[W].Runnable = Lanes == 32 ? ~0u : (1u << Lanes) - 1;
  }
  Live = NumThreads;
  AtBarrier = 0;
  Count = 0;
  All = true;
  Any = false;

  Active = this;
  Current = &Threads[0];
  fxcpu_fiber_switch(&SchedulerContext, Threads[0].Context.StackPointer);
  Active = nullptr;
  Current = nullptr;
}

void BlockScheduler::threadMain(void *Arg) {
  (void)Arg;
  BlockScheduler &S = *Active;
  S.L->Entry(S.L->Args);
  S.exitCurrent();
}

uint32_t BlockScheduler::specialRegister(uint32_t Which) const {
  switch (Which) {
  case FXCPU_SREG_TID_X:
  case FXCPU_SREG_TID_Y:
  case FXCPU_SREG_TID_Z:
    return Current->Tid[Which - FXCPU_SREG_TID_X];
  case FXCPU_SREG_NTID_X:
    return L->Block.X;
  case FXCPU_SREG_NTID_Y:
    return L->Block.Y;
  case FXCPU_SREG_NTID_Z:
    return L->Block.Z;
  case FXCPU_SREG_CTAID_X:
  case FXCPU_SREG_CTAID_Y:
  case FXCPU_SREG_CTAID_Z:
    return BlockIdx[Which - FXCPU_SREG_CTAID_X];
  case FXCPU_SREG_NCTAID_X:
    return L->Grid.X;
  case FXCPU_SREG_NCTAID_Y:
    return L->Grid.Y;
  case FXCPU_SREG_NCTAID_Z:
    return L->Grid.Z;
  case FXCPU_SREG_LANEID:
    return Current->Index % 32;
  case FXCPU_SREG_WARPID:
    return Current->Index / 32;
  case FXCPU_SREG_NWARPID:
    return static_cast<uint32_t>(Warps.size());
  case FXCPU_SREG_DYNAMIC_SMEM_SIZE:
    return static_cast<uint32_t>(L->DynamicSharedBytes);
  case FXCPU_SREG_TOTAL_SMEM_SIZE:
    return static_cast<uint32_t>(L->SharedBytes);
  }
  fatal("unknown special register %u", Which);
}

void BlockScheduler::switchTo(Thread &Next) {
  Thread &Prev = *Current;
  if (&Prev == &Next)
    return;
  Current = &Next;
  fxcpu_fiber_switch(&Prev.Context, Next.Context.StackPointer);
}

BlockScheduler::Thread *BlockScheduler::findReady(uint32_t From) {
  uint32_t I = From;
  for (uint32_t Steps = 0; Steps < Live; ++Steps, I = Threads[I].NextLive)
    if (Threads[I].St == State::Ready)
      return &Threads[I];
  return nullptr;
}

void BlockScheduler::waitTurn() {
  Thread *Next = findReady(Current->NextLive);
  if (!Next)
    deadlock();
  switchTo(*Next);
}

void BlockScheduler::block(Thread &T, State S) {
  T.St = S;
  Warp &W = warpOf(T);
  W.Runnable &= ~laneBit(T);
  if (W.Runnable == 0 && W.AtActiveMask)
    resolveActiveMask(W);
}

void BlockScheduler::makeReady(Thread &T) {
  T.St = State::Ready;
  warpOf(T).Runnable |= laneBit(T);
}

void BlockScheduler::releaseBarrier() {
  LastCount = Count;
  LastAll = All;
  LastAny = Any;
  Count = 0;
  All = true;
  Any = false;
  AtBarrier = 0;
  for (Thread &T : Threads)
    if (T.St == State::AtBarrier)
      makeReady(T);
}

int32_t BlockScheduler::syncThreads(uint32_t ReduceOp, bool Pred) {
  Thread &Self = *Current;
  Count += Pred;
  All &= Pred;
  Any |= Pred;
  if (++AtBarrier == Live) {
    releaseBarrier();
  } else {
    block(Self, State::AtBarrier);
    waitTurn();
  }
  switch (ReduceOp) {
  case FXCPU_RED_POPC:
    return LastCount;
  case FXCPU_RED_AND:
    return LastAll;
  case FXCPU_RED_OR:
    return LastAny;
  }
  return 0;
}

/// The result of each lane of Group for the collective they all wait at.
void BlockScheduler::resolve(Warp &W, uint32_t Group) {
  Thread &First = lane(W, lowestLane(Group));
  for (uint32_t M = Group; M; M &= M - 1) {
    Thread &T = lane(W, lowestLane(M));
    if (T.Op != First.Op || T.OpArg != First.OpArg)
      fatal("kernel %s: lanes %u and %u of warp %zu meet at different warp "
            "collectives",
            L->KernelName, First.Index % 32, T.Index % 32, &W - Warps.data());
  }
  auto ValueOf = [&](uint32_t Lane) { return lane(W, Lane).Value; };
  uint32_t Ballot = 0;
  for (uint32_t M = Group; M; M &= M - 1)
    if (ValueOf(lowestLane(M)))
      Ballot |= M & -M;
  uint32_t Reduced = First.Op == WarpOp::Redux ? ValueOf(lowestLane(Group)) : 0;
  if (First.Op == WarpOp::Redux) {
    for (uint32_t M = Group & (Group - 1); M; M &= M - 1) {
      uint32_t V = ValueOf(lowestLane(M));
      int32_t SR = Reduced, SV = V;
      switch (First.OpArg) {
      case FXCPU_RED_ADD:
        Reduced += V;
        break;
      case FXCPU_RED_MIN:
        Reduced = SV < SR ? V : Reduced;
        break;
      case FXCPU_RED_MAX:
        Reduced = SV > SR ? V : Reduced;
        break;
      case FXCPU_RED_UMIN:
        Reduced = V < Reduced ? V : Reduced;
        break;
      case FXCPU_RED_UMAX:
        Reduced = V > Reduced ? V : Reduced;
        break;
      case FXCPU_RED_AND:
        Reduced &= V;
        break;
      case FXCPU_RED_OR:
        Reduced |= V;
        break;
      case FXCPU_RED_XOR:
        Reduced ^= V;
        break;
      }
    }
  }

  for (uint32_t M = Group; M; M &= M - 1) {
    uint32_t Lane = lowestLane(M);
    Thread &T = lane(W, Lane);
    switch (T.Op) {
    case WarpOp::Sync:
      T.Result = 0;
      break;
    case WarpOp::Shfl: {
      // PTX shfl.sync: C packs the segment mask (bits 8-12) and clamp.
      int32_t SegMask = (T.C >> 8) & 0x1f, Clamp = T.C & 0x1f;
      int32_t MinLane = Lane & SegMask;
      int32_t MaxLane = MinLane | (Clamp & ~SegMask);
      int32_t B = static_cast<int32_t>(T.B), J = 0;
      bool InRange = false;
      switch (T.OpArg) {
      case FXCPU_SHFL_UP:
        J = Lane - B;
        InRange = J >= MaxLane;
        break;
      case FXCPU_SHFL_DOWN:
        J = Lane + B;
        InRange = J <= MaxLane;
        break;
      case FXCPU_SHFL_BFLY:
        J = Lane ^ B;
        InRange = J <= MaxLane;
        break;
      default:
        J = MinLane | (B & 0x1f & ~SegMask);
        InRange = J <= MaxLane;
        break;
      }
      // A source outside the group is undefined on the GPU; it reads the
      // lane's own value here.
      if (!InRange || J < 0 || J > 31 || !(Group & (1u << J)))
        J = Lane;
      T.Result = (ValueOf(J) & 0xffffffffu) | (uint64_t(InRange) << 32);
      break;
    }
    case WarpOp::Vote:
      switch (T.OpArg) {
      case FXCPU_VOTE_ALL:
        T.Result = Ballot == Group;
        break;
      case FXCPU_VOTE_ANY:
        T.Result = Ballot != 0;
        break;
      case FXCPU_VOTE_UNI:
        T.Result = Ballot == 0 || Ballot == Group;
        break;
      default:
        T.Result = Ballot;
        break;
      }
      break;
    case WarpOp::MatchAny: {
      uint32_t Same = 0;
      for (uint32_t N = Group; N; N &= N - 1)
        if (ValueOf(lowestLane(N)) == T.Value)
          Same |= N & -N;
      T.Result = Same;
      break;
    }
    case WarpOp::MatchAll: {
      bool Equal = true;
      for (uint32_t N = Group; N; N &= N - 1)
        Equal &= ValueOf(lowestLane(N)) == T.Value;
      T.Result = Equal ? (Group | (uint64_t(1) << 32)) : 0;
      break;
    }
    case WarpOp::Redux:
      T.Result = Reduced;
      break;
    }
    if (T.St == State::AtWarpOp)
      makeReady(T);
  }
  W.Arrived &= ~Group;
}

void BlockScheduler::resolveCompleted(Warp &W) {
  bool Progress = true;
  while (Progress) {
    Progress = false;
    for (uint32_t M = W.Arrived; M; M &= M - 1) {
      Thread &T = lane(W, lowestLane(M));
      uint32_t Group = (T.Mask | laneBit(T)) & W.Live;
      if ((W.Arrived & Group) == Group) {
        resolve(W, Group);
        Progress = true;
        break;
      }
    }
  }
}

uint64_t BlockScheduler::warpCollective(WarpOp Op, uint32_t Arg, uint32_t Mask,
                                        uint64_t Value, uint32_t B,
                                        uint32_t C) {
  Thread &Self = *Current;
  Warp &W = warpOf(Self);
  Self.Op = Op;
  Self.OpArg = Arg;
  Self.Mask = Mask;
  Self.Value = Value;
  Self.B = B;
  Self.C = C;
  W.Arrived |= laneBit(Self);
  uint32_t Group = (Mask | laneBit(Self)) & W.Live;
  if ((W.Arrived & Group) == Group) {
    resolve(W, Group);
    // Let the group carry on in lane order: the next collective of the same
    // warp then completes without a pass over the rest of the block.
    switchTo(lane(W, lowestLane(Group)));
  } else {
    block(Self, State::AtWarpOp);
    waitTurn();
  }
  return Self.Result;
}

void BlockScheduler::yield() {
  Thread &Self = *Current;
  if (Thread *Next = findReady(Self.NextLive))
    switchTo(*Next);
}

void BlockScheduler::resolveActiveMask(Warp &W) {
  uint32_t Mask = W.AtActiveMask;
  W.AtActiveMask = 0;
  for (uint32_t M = Mask; M; M &= M - 1) {
    Thread &T = lane(W, lowestLane(M));
    T.Result = Mask;
    if (T.St == State::AtActiveMask)
      makeReady(T);
  }
}

uint32_t BlockScheduler::activeMask() {
  // The lanes that reach __activemask() while no other lane of the warp can
  // still run form the active set, as a converged warp would.
  Thread &Self = *Current;
  Warp &W = warpOf(Self);
  W.AtActiveMask |= laneBit(Self);
  block(Self, State::AtActiveMask);
  if (Self.St != State::Ready)
    waitTurn();
  return static_cast<uint32_t>(Self.Result);
}

void BlockScheduler::exitCurrent() {
  Thread &Self = *Current;
  Self.St = State::Done;
  --Live;
  Threads[Self.PrevLive].NextLive = Self.NextLive;
  Threads[Self.NextLive].PrevLive = Self.PrevLive;
  Warp &W = warpOf(Self);
  W.Live &= ~laneBit(Self);
  W.Runnable &= ~laneBit(Self);
  if (W.Arrived)
    resolveCompleted(W);
  if (W.Runnable == 0 && W.AtActiveMask)
    resolveActiveMask(W);
  if (AtBarrier && AtBarrier == Live)
    releaseBarrier();
  if (Live == 0) {
    FiberContext Discarded;
    fxcpu_fiber_switch(&Discarded, SchedulerContext.StackPointer);
  }
  Thread *Next = findReady(Self.NextLive);
  if (!Next)
    deadlock();
  FiberContext Discarded;
  Current = Next;
  fxcpu_fiber_switch(&Discarded, Next->Context.StackPointer);
  __builtin_unreachable();
}

int BlockScheduler::describe(char *Buf, size_t Size) const {
  if (!Current)
    return snprintf(Buf, Size, "kernel %s", L ? L->KernelName : "?");
  return snprintf(Buf, Size, "kernel %s, block (%u,%u,%u), thread (%u,%u,%u)",
                  L->KernelName, BlockIdx[0], BlockIdx[1], BlockIdx[2],
                  Current->Tid[0], Current->Tid[1], Current->Tid[2]);
}

void BlockScheduler::deadlock() {
  unsigned AtBar = 0, AtWarp = 0, AtMask = 0;
  for (const Thread &T : Threads) {
    AtBar += T.St == State::AtBarrier;
    AtWarp += T.St == State::AtWarpOp;
    AtMask += T.St == State::AtActiveMask;
  }
  fatal("deadlock in kernel %s, block (%u,%u,%u): %u threads wait at "
        "__syncthreads(), %u at warp collectives, %u at __activemask(), and "
        "none can run. Threads of a block must meet at the same barriers, and "
        "waiting for another thread without a barrier (spinning on memory) "
        "cannot progress on the CPU executor",
        L->KernelName, BlockIdx[0], BlockIdx[1], BlockIdx[2], AtBar, AtWarp,
        AtMask);
}

} // namespace fluxion::cudacpu
