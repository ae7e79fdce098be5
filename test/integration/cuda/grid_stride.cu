// Grid-stride loops: far fewer threads than elements, so every thread
// handles many; single and double precision, and a grid larger than needed.
#include "check.cuh"
#include <vector>

template <typename T>
__global__ void axpy(T A, const T *X, T *Y, long N) {
  for (long I = blockIdx.x * (long)blockDim.x + threadIdx.x; I < N;
       I += (long)blockDim.x * gridDim.x)
    Y[I] = A * X[I] + Y[I];
}

template <typename T> void test(long N, int Blocks, int Threads) {
  std::vector<T> X(N), Y(N);
  for (long I = 0; I < N; ++I) {
    X[I] = T(I % 101) / 4;
    Y[I] = T(I % 7);
  }
  T *DX, *DY;
  CUDA_CHECK(cudaMalloc(&DX, N * sizeof(T)));
  CUDA_CHECK(cudaMalloc(&DY, N * sizeof(T)));
  CUDA_CHECK(cudaMemcpy(DX, X.data(), N * sizeof(T), cudaMemcpyHostToDevice));
  CUDA_CHECK(cudaMemcpy(DY, Y.data(), N * sizeof(T), cudaMemcpyHostToDevice));
  axpy<T><<<Blocks, Threads>>>(T(3), DX, DY, N);
  LAUNCH_CHECK();
  std::vector<T> Got(N);
  CUDA_CHECK(cudaMemcpy(Got.data(), DY, N * sizeof(T), cudaMemcpyDeviceToHost));
  for (long I = 0; I < N; ++I)
    CHECK(Got[I] == T(3) * X[I] + Y[I]);
  CUDA_CHECK(cudaFree(DX));
  CUDA_CHECK(cudaFree(DY));
}

int main() {
  test<float>(1000000, 7, 96);
  test<double>(123457, 3, 1024);
  test<float>(100, 64, 128);
  return finish("grid_stride");
}
