// Warp collectives: shuffle reductions and scans, sub-warp widths,
// broadcasts, votes, __activemask in divergent code, the sm_80 warp
// reductions and matches, and cooperative groups' tiles, each checked lane
// by lane against the host.
#include "check.cuh"
#include <cooperative_groups.h>
#include <cooperative_groups/reduce.h>
#include <vector>

namespace cg = cooperative_groups;

constexpr unsigned Full = 0xffffffffu;

struct LaneResults {
  float DownSum, XorSum, Segment16;
  int Scan, Broadcast, UpRaw, Ballot, Any, All, Active, Reduce, Match;
};

__global__ void warpOps(const float *In, LaneResults *Out) {
  int I = blockIdx.x * blockDim.x + threadIdx.x;
  int Lane = threadIdx.x % 32;
  float V = In[I];
  LaneResults R;

  float S = V;
  for (int Offset = 16; Offset > 0; Offset /= 2)
    S += __shfl_down_sync(Full, S, Offset);
  R.DownSum = __shfl_sync(Full, S, 0);

  float X = V;
  for (int Mask = 16; Mask > 0; Mask /= 2)
    X += __shfl_xor_sync(Full, X, Mask);
  R.XorSum = X;

  float Seg = V;
  for (int Mask = 8; Mask > 0; Mask /= 2)
    Seg += __shfl_xor_sync(Full, Seg, Mask, 16);
  R.Segment16 = Seg;

  int Scan = Lane + 1;
  for (int Offset = 1; Offset < 32; Offset *= 2) {
    int Up = __shfl_up_sync(Full, Scan, Offset);
    if (Lane >= Offset)
      Scan += Up;
  }
  R.Scan = Scan;
  R.UpRaw = __shfl_up_sync(Full, Lane * 10, 3);
  R.Broadcast = __shfl_sync(Full, I * 2, 5);
  R.Ballot = __ballot_sync(Full, V > 0);
  R.Any = __any_sync(Full, Lane == 7 && V > 0);
  R.All = __all_sync(Full, V > -1000);
  R.Active = 0;
  if (Lane % 3 == 0)
    R.Active = __activemask();
  R.Reduce = __reduce_add_sync(Full, Lane * Lane);
  R.Match = __match_any_sync(Full, Lane % 4);
  Out[I] = R;
}

// Sums over tiles of 32 and of 8 threads and over the whole block.
__global__ void groups(const int *In, int *Out) {
  cg::thread_block Block = cg::this_thread_block();
  auto Warp = cg::tiled_partition<32>(Block);
  auto Eight = cg::tiled_partition<8>(Block);
  int V = In[Block.thread_rank()];
  int WarpSum = cg::reduce(Warp, V, cg::plus<int>());
  int EightSum = cg::reduce(Eight, V, cg::plus<int>());
  __shared__ int Total;
  if (Block.thread_rank() == 0)
    Total = 0;
  Block.sync();
  if (Warp.thread_rank() == 0)
    atomicAdd(&Total, WarpSum);
  Block.sync();
  Out[3 * Block.thread_rank()] = WarpSum;
  Out[3 * Block.thread_rank() + 1] = EightSum;
  Out[3 * Block.thread_rank() + 2] = Total + Eight.shfl_down(V, 1);
}

int main() {
  const int Warps = 8, N = Warps * 32;
  std::vector<float> H(N);
  for (int I = 0; I < N; ++I)
    H[I] = ((I * 37) % 19) - 9.0f;
  float *DIn;
  LaneResults *DOut;
  CUDA_CHECK(cudaMalloc(&DIn, N * sizeof(float)));
  CUDA_CHECK(cudaMalloc(&DOut, N * sizeof(LaneResults)));
  CUDA_CHECK(cudaMemcpy(DIn, H.data(), N * sizeof(float), cudaMemcpyHostToDevice));
  warpOps<<<2, N / 2>>>(DIn, DOut);
  LAUNCH_CHECK();
  std::vector<LaneResults> R(N);
  CUDA_CHECK(cudaMemcpy(R.data(), DOut, N * sizeof(LaneResults), cudaMemcpyDeviceToHost));

  for (int W = 0; W < Warps; ++W) {
    float Sum = 0, Half[2] = {0, 0};
    unsigned Ballot = 0;
    bool Any = false;
    for (int L = 0; L < 32; ++L) {
      float V = H[W * 32 + L];
      Sum += V;
      Half[L / 16] += V;
      if (V > 0)
        Ballot |= 1u << L;
      Any |= L == 7 && V > 0;
    }
    unsigned Thirds = 0;
    for (int L = 0; L < 32; L += 3)
      Thirds |= 1u << L;
    for (int L = 0; L < 32; ++L) {
      const LaneResults &G = R[W * 32 + L];
      CHECK(G.DownSum == Sum);
      CHECK(G.XorSum == Sum);
      CHECK(G.Segment16 == Half[L / 16]);
      CHECK(G.Scan == (L + 1) * (L + 2) / 2);
      CHECK(G.UpRaw == (L >= 3 ? (L - 3) * 10 : L * 10));
      CHECK(G.Broadcast == (W * 32 + 5) * 2);
      CHECK(unsigned(G.Ballot) == Ballot);
      CHECK(G.Any == Any);
      CHECK(G.All == 1);
      CHECK(unsigned(G.Active) == (L % 3 == 0 ? Thirds : 0u));
      CHECK(G.Reduce == 31 * 32 * 63 / 6);
      CHECK(unsigned(G.Match) == 0x11111111u << (L % 4));
    }
  }

  const int Threads = 96;
  std::vector<int> G(Threads), GOut(3 * Threads);
  for (int I = 0; I < Threads; ++I)
    G[I] = I * I % 17;
  int *DG, *DGOut;
  CUDA_CHECK(cudaMalloc(&DG, Threads * sizeof(int)));
  CUDA_CHECK(cudaMalloc(&DGOut, 3 * Threads * sizeof(int)));
  CUDA_CHECK(cudaMemcpy(DG, G.data(), Threads * sizeof(int), cudaMemcpyHostToDevice));
  groups<<<1, Threads>>>(DG, DGOut);
  LAUNCH_CHECK();
  CUDA_CHECK(cudaMemcpy(GOut.data(), DGOut, GOut.size() * sizeof(int), cudaMemcpyDeviceToHost));
  int Total = 0;
  for (int V : G)
    Total += V;
  for (int I = 0; I < Threads; ++I) {
    int Warp = 0, Eight = 0;
    for (int J = I / 32 * 32; J < I / 32 * 32 + 32; ++J)
      Warp += G[J];
    for (int J = I / 8 * 8; J < I / 8 * 8 + 8; ++J)
      Eight += G[J];
    int Down = I % 8 == 7 ? G[I] : G[I + 1];
    CHECK(GOut[3 * I] == Warp);
    CHECK(GOut[3 * I + 1] == Eight);
    CHECK(GOut[3 * I + 2] == Total + Down);
  }
  return finish("warp_shuffle");
}
