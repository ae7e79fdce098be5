// Stencils that stage a tile plus its halo in shared memory: a 1D stencil of
// radius 3 and a 2D five-point stencil on 16x16 tiles with 2D blocks.
#include "check.cuh"
#include <vector>

constexpr int Radius = 3;
constexpr int Block1D = 128;
__constant__ float Weights[2 * Radius + 1];

__global__ void stencil1D(const float *In, float *Out, int N) {
  __shared__ float Tile[Block1D + 2 * Radius];
  int G = blockIdx.x * blockDim.x + threadIdx.x;
  int L = threadIdx.x + Radius;
  auto At = [&](int I) { return I >= 0 && I < N ? In[I] : 0.0f; };
  Tile[L] = At(G);
  if (threadIdx.x < Radius) {
    Tile[L - Radius] = At(G - Radius);
    Tile[L + Block1D] = At(G + Block1D);
  }
  __syncthreads();
  if (G >= N)
    return;
  float Sum = 0;
  for (int K = -Radius; K <= Radius; ++K)
    Sum += Weights[K + Radius] * Tile[L + K];
  Out[G] = Sum;
}

constexpr int Tile2D = 16;

__global__ void laplace2D(const double *In, double *Out, int W, int H) {
  __shared__ double T[Tile2D + 2][Tile2D + 2];
  int X = blockIdx.x * Tile2D + threadIdx.x;
  int Y = blockIdx.y * Tile2D + threadIdx.y;
  auto At = [&](int I, int J) {
    I = min(max(I, 0), W - 1);
    J = min(max(J, 0), H - 1);
    return In[J * W + I];
  };
  int TX = threadIdx.x + 1, TY = threadIdx.y + 1;
  T[TY][TX] = At(X, Y);
  if (threadIdx.x == 0)
    T[TY][0] = At(X - 1, Y);
  if (threadIdx.x == Tile2D - 1)
    T[TY][Tile2D + 1] = At(X + 1, Y);
  if (threadIdx.y == 0)
    T[0][TX] = At(X, Y - 1);
  if (threadIdx.y == Tile2D - 1)
    T[Tile2D + 1][TX] = At(X, Y + 1);
  __syncthreads();
  if (X < W && Y < H)
    Out[Y * W + X] = T[TY - 1][TX] + T[TY + 1][TX] + T[TY][TX - 1] +
                     T[TY][TX + 1] - 4 * T[TY][TX];
}

int main() {
  const int N = 10000;
  float HW[2 * Radius + 1];
  for (int K = 0; K <= 2 * Radius; ++K)
    HW[K] = 0.5f + K;
  CUDA_CHECK(cudaMemcpyToSymbol(Weights, HW, sizeof HW));
  std::vector<float> H(N), Out(N);
  for (int I = 0; I < N; ++I)
    H[I] = (I * 7 % 23) - 11.0f;
  float *DIn, *DOut;
  CUDA_CHECK(cudaMalloc(&DIn, N * sizeof(float)));
  CUDA_CHECK(cudaMalloc(&DOut, N * sizeof(float)));
  CUDA_CHECK(cudaMemcpy(DIn, H.data(), N * sizeof(float), cudaMemcpyHostToDevice));
  stencil1D<<<(N + Block1D - 1) / Block1D, Block1D>>>(DIn, DOut, N);
  LAUNCH_CHECK();
  CUDA_CHECK(cudaMemcpy(Out.data(), DOut, N * sizeof(float), cudaMemcpyDeviceToHost));
  for (int I = 0; I < N; ++I) {
    double Want = 0;
    for (int K = -Radius; K <= Radius; ++K)
      if (I + K >= 0 && I + K < N)
        Want += HW[K + Radius] * H[I + K];
    CHECK_NEAR(Out[I], Want, 1e-5);
  }

  const int W = 100, Ht = 37;
  std::vector<double> G(W * Ht), GOut(W * Ht);
  for (int I = 0; I < W * Ht; ++I)
    G[I] = (I % 17) * 0.5 + (I % 5);
  double *GIn, *GO;
  CUDA_CHECK(cudaMalloc(&GIn, W * Ht * sizeof(double)));
  CUDA_CHECK(cudaMalloc(&GO, W * Ht * sizeof(double)));
  CUDA_CHECK(cudaMemcpy(GIn, G.data(), W * Ht * sizeof(double), cudaMemcpyHostToDevice));
  dim3 Blocks((W + Tile2D - 1) / Tile2D, (Ht + Tile2D - 1) / Tile2D);
  laplace2D<<<Blocks, dim3(Tile2D, Tile2D)>>>(GIn, GO, W, Ht);
  LAUNCH_CHECK();
  CUDA_CHECK(cudaMemcpy(GOut.data(), GO, W * Ht * sizeof(double), cudaMemcpyDeviceToHost));
  auto At = [&](int I, int J) {
    I = std::min(std::max(I, 0), W - 1);
    J = std::min(std::max(J, 0), Ht - 1);
    return G[J * W + I];
  };
  for (int J = 0; J < Ht; ++J)
    for (int I = 0; I < W; ++I)
      CHECK(GOut[J * W + I] == At(I - 1, J) + At(I + 1, J) + At(I, J - 1) +
                                   At(I, J + 1) - 4 * At(I, J));
  return finish("stencil");
}
