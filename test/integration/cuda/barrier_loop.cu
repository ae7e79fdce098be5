// Barriers inside loops: Jacobi relaxation in shared memory with two
// barriers per sweep for many sweeps, a loop whose trip count differs per
// block, and the reducing barriers __syncthreads_count/_and/_or.
#include "check.cuh"
#include <vector>

constexpr int N = 256;

__global__ void jacobi(const double *In, double *Out, int Sweeps) {
  __shared__ double U[N];
  int T = threadIdx.x;
  U[T] = In[blockIdx.x * N + T];
  __syncthreads();
  for (int S = 0; S < Sweeps; ++S) {
    double Next = U[T];
    if (T > 0 && T < N - 1)
      Next = 0.5 * (U[T - 1] + U[T + 1]);
    __syncthreads();
    U[T] = Next;
    __syncthreads();
  }
  Out[blockIdx.x * N + T] = U[T];
}

// Block B runs B + 1 rounds; each round every thread adds its neighbour's
// value from the previous round.
__global__ void rounds(int *Out) {
  __shared__ int V[64];
  int T = threadIdx.x;
  V[T] = T;
  for (int R = 0; R <= (int)blockIdx.x; ++R) {
    __syncthreads();
    int Neighbour = V[(T + 1) % 64];
    __syncthreads();
    V[T] += Neighbour;
  }
  Out[blockIdx.x * 64 + T] = V[T];
}

__global__ void votes(int *Out) {
  int T = threadIdx.x;
  int Count = __syncthreads_count(T % 3 == 0);
  int All = __syncthreads_and(T < 1000);
  int AllSmall = __syncthreads_and(T < 100);
  int Any = __syncthreads_or(T == 77);
  int None = __syncthreads_or(T > 5000);
  if (T == 0) {
    Out[0] = Count;
    Out[1] = All;
    Out[2] = AllSmall;
    Out[3] = Any;
    Out[4] = None;
  }
}

int main() {
  const int Blocks = 3, Sweeps = 200;
  std::vector<double> H(Blocks * N);
  for (int I = 0; I < Blocks * N; ++I)
    H[I] = (I % N == 0 || I % N == N - 1) ? 1.0 + I / N : 0.0;
  double *DIn, *DOut;
  CUDA_CHECK(cudaMalloc(&DIn, H.size() * sizeof(double)));
  CUDA_CHECK(cudaMalloc(&DOut, H.size() * sizeof(double)));
  CUDA_CHECK(cudaMemcpy(DIn, H.data(), H.size() * sizeof(double), cudaMemcpyHostToDevice));
  jacobi<<<Blocks, N>>>(DIn, DOut, Sweeps);
  LAUNCH_CHECK();
  std::vector<double> Got(H.size());
  CUDA_CHECK(cudaMemcpy(Got.data(), DOut, Got.size() * sizeof(double), cudaMemcpyDeviceToHost));
  for (int B = 0; B < Blocks; ++B) {
    std::vector<double> U(H.begin() + B * N, H.begin() + (B + 1) * N), Next(N);
    for (int S = 0; S < Sweeps; ++S) {
      for (int T = 0; T < N; ++T)
        Next[T] = (T > 0 && T < N - 1) ? 0.5 * (U[T - 1] + U[T + 1]) : U[T];
      U = Next;
    }
    for (int T = 0; T < N; ++T)
      CHECK(Got[B * N + T] == U[T]);
  }

  int *DRounds;
  CUDA_CHECK(cudaMalloc(&DRounds, 5 * 64 * sizeof(int)));
  rounds<<<5, 64>>>(DRounds);
  LAUNCH_CHECK();
  std::vector<int> R(5 * 64);
  CUDA_CHECK(cudaMemcpy(R.data(), DRounds, R.size() * sizeof(int), cudaMemcpyDeviceToHost));
  for (int B = 0; B < 5; ++B) {
    std::vector<int> V(64);
    for (int T = 0; T < 64; ++T)
      V[T] = T;
    for (int Round = 0; Round <= B; ++Round) {
      std::vector<int> Old = V;
      for (int T = 0; T < 64; ++T)
        V[T] += Old[(T + 1) % 64];
    }
    for (int T = 0; T < 64; ++T)
      CHECK(R[B * 64 + T] == V[T]);
  }

  int *DVotes, Votes[5];
  CUDA_CHECK(cudaMalloc(&DVotes, sizeof Votes));
  votes<<<1, 1000>>>(DVotes);
  LAUNCH_CHECK();
  CUDA_CHECK(cudaMemcpy(Votes, DVotes, sizeof Votes, cudaMemcpyDeviceToHost));
  CHECK(Votes[0] == 334);
  CHECK(Votes[1] != 0);
  CHECK(Votes[2] == 0);
  CHECK(Votes[3] != 0);
  CHECK(Votes[4] == 0);
  return finish("barrier_loop");
}
