// The runtime API around kernels: device queries, streams and async copies,
// events, cudaLaunchKernel called directly, kernels taking structs and small
// integers by value, templates, __host__ __device__ functions compiled for
// both sides, stream-ordered allocation, and device malloc within the heap
// size set by cudaDeviceSetLimit (beyond it malloc returns null).
#include "check.cuh"
#include <cstring>
#include <vector>

struct Params {
  double Scale;
  int Offset;
  char Tag;
  float Weights[3];
};

__host__ __device__ double combine(const Params &P, int I) {
  return P.Scale * (I + P.Offset) + P.Weights[I % 3] + P.Tag;
}

__global__ void byValue(Params P, short S, unsigned char C, double *Out) {
  int I = blockIdx.x * blockDim.x + threadIdx.x;
  Out[I] = combine(P, I) + S + C;
}

template <typename T, int K> __global__ void fill(T *Out, T V) {
  Out[blockIdx.x * blockDim.x + threadIdx.x] = V * K;
}

// Blocks[0]: a block of Bytes from the device heap; Blocks[1]: another one
// allocated while the first is held (null when the heap is used up).
__global__ void allocate(size_t Bytes, char **Blocks) {
  Blocks[0] = static_cast<char *>(malloc(Bytes));
  Blocks[1] = static_cast<char *>(malloc(Bytes));
}
__global__ void release(char **Blocks) {
  free(Blocks[0]);
  free(Blocks[1]);
}

int main() {
  int Count = 0;
  CUDA_CHECK(cudaGetDeviceCount(&Count));
  CHECK(Count >= 1);
  CUDA_CHECK(cudaSetDevice(0));
  cudaDeviceProp Prop;
  CUDA_CHECK(cudaGetDeviceProperties(&Prop, 0));
  CHECK(Prop.warpSize == 32);
  CHECK(Prop.maxThreadsPerBlock == 1024);
  CHECK(Prop.sharedMemPerBlock == 48 * 1024);
  CHECK(Prop.multiProcessorCount >= 1);
  CHECK(strlen(Prop.name) > 0);
  int Warp = 0;
  CUDA_CHECK(cudaDeviceGetAttribute(&Warp, cudaDevAttrWarpSize, 0));
  CHECK(Warp == 32);
  CHECK(strcmp(cudaGetErrorString(cudaSuccess), "no error") == 0);
  CHECK(strcmp(cudaGetErrorName(cudaErrorInvalidValue),
               "cudaErrorInvalidValue") == 0);

  const int N = 96;
  Params P = {0.5, 3, 'a', {1.0f, 2.0f, 4.0f}};
  double *DOut;
  CUDA_CHECK(cudaMalloc(&DOut, N * sizeof(double)));
  cudaStream_t Stream;
  CUDA_CHECK(cudaStreamCreate(&Stream));
  cudaEvent_t Start, Stop;
  CUDA_CHECK(cudaEventCreate(&Start));
  CUDA_CHECK(cudaEventCreate(&Stop));
  CUDA_CHECK(cudaEventRecord(Start, Stream));
  byValue<<<3, 32, 0, Stream>>>(P, short(-7), (unsigned char)200, DOut);
  LAUNCH_CHECK();
  CUDA_CHECK(cudaEventRecord(Stop, Stream));
  std::vector<double> Out(N);
  CUDA_CHECK(cudaMemcpyAsync(Out.data(), DOut, N * sizeof(double),
                             cudaMemcpyDeviceToHost, Stream));
  CUDA_CHECK(cudaStreamSynchronize(Stream));
  CUDA_CHECK(cudaEventSynchronize(Stop));
  float Ms = -1;
  CUDA_CHECK(cudaEventElapsedTime(&Ms, Start, Stop));
  CHECK(Ms >= 0);
  for (int I = 0; I < N; ++I)
    CHECK(Out[I] == combine(P, I) - 7 + 200);

  // The launch that <<<>>> expands to, written out.
  short S = 1;
  unsigned char C = 2;
  void *Args[] = {&P, &S, &C, &DOut};
  CUDA_CHECK(cudaLaunchKernel((const void *)byValue, dim3(1), dim3(N), Args, 0,
                              nullptr));
  CUDA_CHECK(
      cudaMemcpy(Out.data(), DOut, N * sizeof(double), cudaMemcpyDeviceToHost));
  for (int I = 0; I < N; ++I)
    CHECK(Out[I] == combine(P, I) + 3);

  int *DInts;
  CUDA_CHECK(cudaMalloc(&DInts, 64 * sizeof(int)));
  CUDA_CHECK(cudaMemsetAsync(DInts, 0, 64 * sizeof(int), Stream));
  fill<int, 3><<<2, 32, 0, Stream>>>(DInts, 5);
  fill<double, 2><<<3, 32>>>(DOut, 1.25);
  LAUNCH_CHECK();
  CUDA_CHECK(cudaDeviceSynchronize());
  std::vector<int> Ints(64);
  CUDA_CHECK(
      cudaMemcpy(Ints.data(), DInts, 64 * sizeof(int), cudaMemcpyDeviceToHost));
  CUDA_CHECK(
      cudaMemcpy(Out.data(), DOut, N * sizeof(double), cudaMemcpyDeviceToHost));
  for (int V : Ints)
    CHECK(V == 15);
  for (double V : Out)
    CHECK(V == 2.5);

  char **DBlocks, *Blocks[2];
  CUDA_CHECK(cudaMallocAsync((void **)&DBlocks, sizeof Blocks, Stream));
  size_t HeapBytes = 0;
  CUDA_CHECK(cudaDeviceSetLimit(cudaLimitMallocHeapSize, 4 << 20));
  CUDA_CHECK(cudaDeviceGetLimit(&HeapBytes, cudaLimitMallocHeapSize));
  CHECK(HeapBytes == 4 << 20);
  for (size_t Mib : {1, 3}) {
    allocate<<<1, 1, 0, Stream>>>(Mib << 20, DBlocks);
    CUDA_CHECK(cudaMemcpyAsync(Blocks, DBlocks, sizeof Blocks,
                               cudaMemcpyDeviceToHost, Stream));
    release<<<1, 1, 0, Stream>>>(DBlocks);
    CUDA_CHECK(cudaStreamSynchronize(Stream));
    CHECK(Blocks[0] != nullptr);
    CHECK((Blocks[1] != nullptr) == (Mib == 1));
  }
  CUDA_CHECK(cudaFreeAsync(DBlocks, Stream));

  CHECK(cudaFree((void *)0x1234) == cudaErrorInvalidValue);
  CHECK(cudaGetLastError() == cudaErrorInvalidValue);
  CUDA_CHECK(cudaEventDestroy(Start));
  CUDA_CHECK(cudaEventDestroy(Stop));
  CUDA_CHECK(cudaStreamDestroy(Stream));
  CUDA_CHECK(cudaFree(DOut));
  CUDA_CHECK(cudaFree(DInts));
  return finish("runtime_api");
}
