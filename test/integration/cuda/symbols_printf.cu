// __constant__ and __device__ variables written and read with
// cudaMemcpyToSymbol/FromSymbol and cudaGetSymbolAddress, and device printf
// (its output is matched by the test's pass pattern).
#include "check.cuh"

__constant__ double Coefficients[4];
__device__ int Counter = 5;
__device__ float Table[8];

__global__ void useSymbols(double *Out) {
  double X = threadIdx.x;
  Out[threadIdx.x] = Coefficients[0] + X * (Coefficients[1] +
                     X * (Coefficients[2] + X * Coefficients[3]));
  atomicAdd(&Counter, 1);
  Table[threadIdx.x % 8] = 2.0f * threadIdx.x;
}

__global__ void say(int Value, double D, const char *Word) {
  if (threadIdx.x == 1 && blockIdx.x == 2)
    printf("device says %d %.3f %s %c %lld %5.1f|%-4d|%x\n", Value, D, Word,
           'z', -1234567890123ll, 2.5f, 42, 255u);
}

int main() {
  const double C[4] = {1.0, -2.0, 0.5, 0.25};
  CUDA_CHECK(cudaMemcpyToSymbol(Coefficients, C, sizeof C));
  double *DOut;
  CUDA_CHECK(cudaMalloc(&DOut, 8 * sizeof(double)));
  useSymbols<<<1, 8>>>(DOut);
  LAUNCH_CHECK();
  double Out[8];
  CUDA_CHECK(cudaMemcpy(Out, DOut, sizeof Out, cudaMemcpyDeviceToHost));
  for (int T = 0; T < 8; ++T)
    CHECK(Out[T] == C[0] + T * (C[1] + T * (C[2] + T * C[3])));
  int Count;
  CUDA_CHECK(cudaMemcpyFromSymbol(&Count, Counter, sizeof Count));
  CHECK(Count == 13);
  float T[8];
  CUDA_CHECK(cudaMemcpyFromSymbol(T, Table, sizeof T));
  for (int I = 0; I < 8; ++I)
    CHECK(T[I] == 2.0f * I);

  // Partial copies at an offset, and the symbol's address used directly.
  const float Two[2] = {-1.0f, -2.0f};
  CUDA_CHECK(cudaMemcpyToSymbol(Table, Two, sizeof Two, 3 * sizeof(float)));
  float *Address;
  CUDA_CHECK(cudaGetSymbolAddress((void **)&Address, Table));
  CUDA_CHECK(cudaMemcpy(T, Address, sizeof T, cudaMemcpyDeviceToHost));
  CHECK(T[2] == 4.0f && T[3] == -1.0f && T[4] == -2.0f && T[5] == 10.0f);
  size_t Size;
  CUDA_CHECK(cudaGetSymbolSize(&Size, Table));
  CHECK(Size == sizeof T);
  CHECK(cudaMemcpyToSymbol(Table, Two, sizeof T, sizeof(float)) ==
        cudaErrorInvalidValue);
  CHECK(cudaGetLastError() == cudaErrorInvalidValue);

  char *Word;
  CUDA_CHECK(cudaMallocManaged(&Word, 8));
  snprintf(Word, 8, "fibers");
  say<<<3, 4>>>(7, 3.14159, Word);
  LAUNCH_CHECK();
  CUDA_CHECK(cudaDeviceSynchronize());
  fflush(stdout);
  return finish("symbols_printf");
}
