// Tree reductions in shared memory: one partial sum per block, for block
// sizes from one warp to the 1024-thread maximum, then a second launch that
// reduces the partials; and an atomicAdd of each block's result.
#include "check.cuh"
#include <vector>

template <unsigned BlockSize>
__global__ void blockSum(const double *In, double *Partial, int N) {
  __shared__ double S[BlockSize];
  unsigned T = threadIdx.x;
  unsigned I = blockIdx.x * BlockSize * 2 + T;
  double V = 0;
  if (I < N)
    V = In[I];
  if (I + BlockSize < N)
    V += In[I + BlockSize];
  S[T] = V;
  __syncthreads();
  for (unsigned K = BlockSize / 2; K > 0; K >>= 1) {
    if (T < K)
      S[T] += S[T + K];
    __syncthreads();
  }
  if (T == 0)
    Partial[blockIdx.x] = S[0];
}

__global__ void atomicTotal(const float *In, float *Total, int N) {
  __shared__ float S[128];
  int I = blockIdx.x * blockDim.x + threadIdx.x;
  S[threadIdx.x] = I < N ? In[I] : 0.0f;
  __syncthreads();
  for (int K = blockDim.x / 2; K > 0; K >>= 1) {
    if (threadIdx.x < K)
      S[threadIdx.x] += S[threadIdx.x + K];
    __syncthreads();
  }
  if (threadIdx.x == 0)
    atomicAdd(Total, S[0]);
}

template <unsigned BlockSize> void testBlockSize(int N) {
  std::vector<double> H(N);
  double Want = 0;
  for (int I = 0; I < N; ++I) {
    // Multiples of 1/8: every partial sum is exact in any order.
    H[I] = (I % 97) * 0.125 - 6.0;
    Want += H[I];
  }
  int Blocks = (N + 2 * BlockSize - 1) / (2 * BlockSize);
  double *In, *Partial, *Final;
  CUDA_CHECK(cudaMalloc(&In, N * sizeof(double)));
  CUDA_CHECK(cudaMalloc(&Partial, Blocks * sizeof(double)));
  CUDA_CHECK(cudaMalloc(&Final, sizeof(double)));
  CUDA_CHECK(
      cudaMemcpy(In, H.data(), N * sizeof(double), cudaMemcpyHostToDevice));
  blockSum<BlockSize><<<Blocks, BlockSize>>>(In, Partial, N);
  LAUNCH_CHECK();
  std::vector<double> P(Blocks);
  CUDA_CHECK(cudaMemcpy(P.data(), Partial, Blocks * sizeof(double),
                        cudaMemcpyDeviceToHost));
  for (int B = 0; B < Blocks; ++B) {
    double Block = 0;
    for (int I = B * 2 * BlockSize; I < std::min<int>(N, (B + 1) * 2 * BlockSize);
         ++I)
      Block += H[I];
    CHECK(P[B] == Block);
  }
  // The partials fit one block of the 1024-thread variant.
  blockSum<1024><<<1, 1024>>>(Partial, Final, Blocks);
  LAUNCH_CHECK();
  double Got;
  CUDA_CHECK(cudaMemcpy(&Got, Final, sizeof(double), cudaMemcpyDeviceToHost));
  CHECK(Got == Want);
  CUDA_CHECK(cudaFree(In));
  CUDA_CHECK(cudaFree(Partial));
  CUDA_CHECK(cudaFree(Final));
}

int main() {
  testBlockSize<32>(5000);
  testBlockSize<256>(100003);
  testBlockSize<1024>(1 << 20);

  const int N = 40000;
  std::vector<float> H(N);
  double Want = 0;
  for (int I = 0; I < N; ++I) {
    H[I] = (I % 11) * 0.25f;
    Want += H[I];
  }
  float *In, *Total;
  CUDA_CHECK(cudaMalloc(&In, N * sizeof(float)));
  CUDA_CHECK(cudaMalloc(&Total, sizeof(float)));
  CUDA_CHECK(cudaMemcpy(In, H.data(), N * sizeof(float), cudaMemcpyHostToDevice));
  CUDA_CHECK(cudaMemset(Total, 0, sizeof(float)));
  atomicTotal<<<(N + 127) / 128, 128>>>(In, Total, N);
  LAUNCH_CHECK();
  float Got;
  CUDA_CHECK(cudaMemcpy(&Got, Total, sizeof(float), cudaMemcpyDeviceToHost));
  // Sums of quarters stay exact in float up to 2^24.
  CHECK(Got == static_cast<float>(Want));
  return finish("reduction");
}
