// Histograms with atomics: per-block histograms in shared memory merged into
// global memory with atomicAdd, and the other device atomics on counters
// whose final values do not depend on the order of the threads.
#include "check.cuh"
#include <vector>

constexpr int Bins = 64;

__global__ void histogram(const unsigned *Data, unsigned *Hist, int N) {
  __shared__ unsigned Local[Bins];
  for (int B = threadIdx.x; B < Bins; B += blockDim.x)
    Local[B] = 0;
  __syncthreads();
  for (int I = blockIdx.x * blockDim.x + threadIdx.x; I < N;
       I += blockDim.x * gridDim.x)
    atomicAdd(&Local[Data[I] % Bins], 1u);
  __syncthreads();
  for (int B = threadIdx.x; B < Bins; B += blockDim.x)
    atomicAdd(&Hist[B], Local[B]);
}

struct Counters {
  int Max, Min;
  unsigned Or, And, Xor, Wrap;
  unsigned long long Sum64;
  double DoubleSum;
  float FloatSum;
  int CasCount, Exchanged;
};

__global__ void atomics(Counters *C, int N) {
  int I = blockIdx.x * blockDim.x + threadIdx.x;
  if (I >= N)
    return;
  atomicMax(&C->Max, I * 3 - 100);
  atomicMin(&C->Min, 50 - I);
  atomicOr(&C->Or, 1u << (I % 32));
  atomicAnd(&C->And, ~(1u << (I % 16)));
  atomicXor(&C->Xor, unsigned(I));
  atomicInc(&C->Wrap, 9u); // counts modulo 10
  atomicAdd(&C->Sum64, (unsigned long long)I);
  atomicAdd(&C->DoubleSum, 0.5 * I);
  atomicAdd(&C->FloatSum, 0.25f);
  // Increment through a compare-and-swap loop.
  int Old = C->CasCount, Seen;
  while ((Seen = atomicCAS(&C->CasCount, Old, Old + 1)) != Old)
    Old = Seen;
  atomicExch(&C->Exchanged, 7);
}

int main() {
  const int N = 100000;
  std::vector<unsigned> H(N);
  std::vector<unsigned> Want(Bins, 0);
  for (int I = 0; I < N; ++I) {
    H[I] = (I * 2654435761u) >> 7;
    ++Want[H[I] % Bins];
  }
  unsigned *DData, *DHist;
  CUDA_CHECK(cudaMalloc(&DData, N * sizeof(unsigned)));
  CUDA_CHECK(cudaMalloc(&DHist, Bins * sizeof(unsigned)));
  CUDA_CHECK(cudaMemcpy(DData, H.data(), N * sizeof(unsigned), cudaMemcpyHostToDevice));
  CUDA_CHECK(cudaMemset(DHist, 0, Bins * sizeof(unsigned)));
  histogram<<<20, 256>>>(DData, DHist, N);
  LAUNCH_CHECK();
  std::vector<unsigned> Got(Bins);
  CUDA_CHECK(cudaMemcpy(Got.data(), DHist, Bins * sizeof(unsigned), cudaMemcpyDeviceToHost));
  for (int B = 0; B < Bins; ++B)
    CHECK(Got[B] == Want[B]);

  const int M = 5000;
  Counters Init = {-1000, 1000, 0, ~0u, 0, 0, 0, 0.0, 0.0f, 0, 0};
  Counters *DC;
  CUDA_CHECK(cudaMalloc(&DC, sizeof(Counters)));
  CUDA_CHECK(cudaMemcpy(DC, &Init, sizeof Init, cudaMemcpyHostToDevice));
  atomics<<<(M + 255) / 256, 256>>>(DC, M);
  LAUNCH_CHECK();
  Counters C;
  CUDA_CHECK(cudaMemcpy(&C, DC, sizeof C, cudaMemcpyDeviceToHost));
  unsigned Xor = 0;
  unsigned long long Sum = 0;
  for (int I = 0; I < M; ++I) {
    Xor ^= unsigned(I);
    Sum += I;
  }
  CHECK(C.Max == (M - 1) * 3 - 100);
  CHECK(C.Min == 50 - (M - 1));
  CHECK(C.Or == ~0u);
  CHECK(C.And == 0xffff0000u);
  CHECK(C.Xor == Xor);
  CHECK(C.Wrap == M % 10);
  CHECK(C.Sum64 == Sum);
  CHECK(C.DoubleSum == 0.5 * Sum);
  CHECK(C.FloatSum == 0.25f * M);
  CHECK(C.CasCount == M);
  CHECK(C.Exchanged == 7);
  return finish("histogram");
}
