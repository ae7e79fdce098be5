// extern __shared__ arrays sized at launch, alone and after static shared
// variables, an opt-in above the default 48 KiB, and launches that the
// runtime must refuse with the error the CUDA runtime gives.
#include "check.cuh"
#include <vector>

__global__ void reverse(const int *In, int *Out) {
  extern __shared__ int Buffer[];
  int T = threadIdx.x, N = blockDim.x;
  Buffer[T] = In[blockIdx.x * N + T];
  __syncthreads();
  Out[blockIdx.x * N + T] = Buffer[N - 1 - T];
}

__global__ void mixed(double *Out, int PerThread) {
  __shared__ int Count;
  __shared__ double Static[32];
  extern __shared__ double Dynamic[];
  if (threadIdx.x == 0)
    Count = 0;
  Static[threadIdx.x % 32] = 1.0;
  __syncthreads();
  for (int K = 0; K < PerThread; ++K)
    Dynamic[threadIdx.x * PerThread + K] = threadIdx.x + K + Static[0];
  atomicAdd(&Count, 1);
  __syncthreads();
  double Sum = 0;
  for (int I = 0; I < blockDim.x * PerThread; ++I)
    Sum += Dynamic[I];
  Out[blockIdx.x * blockDim.x + threadIdx.x] = Sum + Count;
}

__global__ void large(float *Out) {
  extern __shared__ float Big[];
  const int N = 64 * 1024 / sizeof(float);
  for (int I = threadIdx.x; I < N; I += blockDim.x)
    Big[I] = I;
  __syncthreads();
  if (threadIdx.x == 0) {
    float Sum = 0;
    for (int I = 0; I < N; I += 1024)
      Sum += Big[I];
    *Out = Sum;
  }
}

int main() {
  for (int Threads : {32, 100, 1024}) {
    int N = 3 * Threads;
    std::vector<int> H(N);
    for (int I = 0; I < N; ++I)
      H[I] = I * 5 + 1;
    int *DIn, *DOut;
    CUDA_CHECK(cudaMalloc(&DIn, N * sizeof(int)));
    CUDA_CHECK(cudaMalloc(&DOut, N * sizeof(int)));
    CUDA_CHECK(cudaMemcpy(DIn, H.data(), N * sizeof(int), cudaMemcpyHostToDevice));
    reverse<<<3, Threads, Threads * sizeof(int)>>>(DIn, DOut);
    LAUNCH_CHECK();
    std::vector<int> Got(N);
    CUDA_CHECK(cudaMemcpy(Got.data(), DOut, N * sizeof(int), cudaMemcpyDeviceToHost));
    for (int B = 0; B < 3; ++B)
      for (int T = 0; T < Threads; ++T)
        CHECK(Got[B * Threads + T] == H[B * Threads + Threads - 1 - T]);
  }

  const int Threads = 64, PerThread = 3, Blocks = 4;
  double *DMixed;
  CUDA_CHECK(cudaMalloc(&DMixed, Blocks * Threads * sizeof(double)));
  mixed<<<Blocks, Threads, Threads * PerThread * sizeof(double)>>>(DMixed, PerThread);
  LAUNCH_CHECK();
  std::vector<double> Mixed(Blocks * Threads);
  CUDA_CHECK(cudaMemcpy(Mixed.data(), DMixed, Mixed.size() * sizeof(double),
                        cudaMemcpyDeviceToHost));
  double Want = Threads;
  for (int T = 0; T < Threads; ++T)
    for (int K = 0; K < PerThread; ++K)
      Want += T + K + 1.0;
  for (double V : Mixed)
    CHECK(V == Want);

  // 64 KiB needs the opt-in; without it the launch is invalid.
  float *DLarge;
  CUDA_CHECK(cudaMalloc(&DLarge, sizeof(float)));
  large<<<1, 256, 64 * 1024>>>(DLarge);
  CHECK(cudaGetLastError() == cudaErrorInvalidValue);
  CUDA_CHECK(cudaFuncSetAttribute((const void *)large,
                                  cudaFuncAttributeMaxDynamicSharedMemorySize,
                                  64 * 1024));
  large<<<1, 256, 64 * 1024>>>(DLarge);
  LAUNCH_CHECK();
  float Sum;
  CUDA_CHECK(cudaMemcpy(&Sum, DLarge, sizeof(float), cudaMemcpyDeviceToHost));
  float WantSum = 0;
  for (int I = 0; I < 16384; I += 1024)
    WantSum += I;
  CHECK(Sum == WantSum);

  // Out-of-range configurations fail at launch, and the error is cleared
  // by reading it.
  reverse<<<1, 1025, 0>>>(nullptr, nullptr);
  CHECK(cudaGetLastError() == cudaErrorInvalidConfiguration);
  CHECK(cudaGetLastError() == cudaSuccess);
  reverse<<<1, dim3(32, 32, 2), 0>>>(nullptr, nullptr);
  CHECK(cudaPeekAtLastError() == cudaErrorInvalidConfiguration);
  CHECK(cudaGetLastError() == cudaErrorInvalidConfiguration);
  reverse<<<dim3(1, 65536), 32, 0>>>(nullptr, nullptr);
  CHECK(cudaGetLastError() == cudaErrorInvalidConfiguration);
  reverse<<<0, 32, 0>>>(nullptr, nullptr);
  CHECK(cudaGetLastError() == cudaErrorInvalidConfiguration);
  reverse<<<1, 32, 300 * 1024>>>(nullptr, nullptr);
  CHECK(cudaGetLastError() == cudaErrorInvalidValue);
  return finish("dynamic_shared");
}
