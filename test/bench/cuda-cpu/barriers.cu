// Executor benchmark: a 256-block x 256-thread kernel in which every thread
// passes 8 barriers, and a 1024-thread block with 10 barriers. Reports the
// time per launch and the cost per fiber switch (each barrier switches every
// thread out once; starting and finishing a thread costs one more switch).
#include <chrono>
#include <cstdio>
#include <cstdlib>

__global__ void barriers8(float *Out) {
  __shared__ float S[256];
  float V = threadIdx.x;
  for (int I = 0; I < 8; ++I) {
    S[threadIdx.x] = V;
    __syncthreads();
    V += S[(threadIdx.x + 1) % blockDim.x];
  }
  Out[blockIdx.x * blockDim.x + threadIdx.x] = V;
}

__global__ void barriers10(float *Out) {
  __shared__ float S[1024];
  float V = threadIdx.x;
  for (int I = 0; I < 10; ++I) {
    S[threadIdx.x] = V;
    __syncthreads();
    V += S[(threadIdx.x + 1) % blockDim.x];
  }
  Out[threadIdx.x] = V;
}

template <typename Launch> double bestSeconds(int Reps, Launch L) {
  double Best = 1e30;
  for (int R = 0; R < Reps; ++R) {
    auto T0 = std::chrono::steady_clock::now();
    L();
    cudaDeviceSynchronize();
    auto T1 = std::chrono::steady_clock::now();
    Best = std::min(Best, std::chrono::duration<double>(T1 - T0).count());
  }
  return Best;
}

int main(int Argc, char **Argv) {
  int Reps = Argc > 1 ? atoi(Argv[1]) : 10;
  float *Out;
  cudaMalloc(&Out, 256 * 256 * sizeof(float));
  cudaDeviceProp P;
  cudaGetDeviceProperties(&P, 0);

  double Big = bestSeconds(Reps, [&] { barriers8<<<256, 256>>>(Out); });
  double Switches = 256.0 * 256 * (8 + 1);
  printf("256 blocks x 256 threads, 8 barriers: %.3f ms per launch, "
         "%.1f ns per fiber switch (%d executor threads)\n",
         Big * 1e3, Big * 1e9 / Switches * P.multiProcessorCount,
         P.multiProcessorCount);

  double One = bestSeconds(Reps, [&] { barriers10<<<1, 1024>>>(Out); });
  printf("1 block x 1024 threads, 10 barriers: %.3f ms per launch, "
         "%.1f ns per fiber switch\n",
         One * 1e3, One * 1e9 / (1024.0 * 11));
  return cudaGetLastError() != cudaSuccess;
}
