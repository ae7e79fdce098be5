// Host side of gpu_reduce.mlir: launches the kernels MLIR compiled, which
// fluxion-cuda-cpu --device-bitcode links in place of this file's device
// side, and checks the derivatives of the block sums of sin(x)^2:
// - reverse mode with every block's adjoint 1: dx[i] = sin(2 x[i]) (closed
//   form), and central differences of the primal kernel at a few elements;
// - forward mode along a direction: each block's tangent is the sum of
//   sin(2 x[i]) dx[i] over its threads, and agrees with the gradient.
// Each memref<?xf32> argument is its descriptor: allocated and aligned
// pointers, offset, size, stride.
#include <cmath>
#include <cstdio>
#include <cuda_runtime.h>
#include <vector>

#define MEMREF(name) float *name##Allocated, float *name, long name##Offset, \
    long name##Size, long name##Stride

extern "C" __global__ void energy(MEMREF(x), MEMREF(out)) {}
extern "C" __global__ void energy_gradient(MEMREF(x), MEMREF(dx), MEMREF(out),
                                           MEMREF(dout)) {}
extern "C" __global__ void energy_tangent(MEMREF(x), MEMREF(dx), MEMREF(out),
                                          MEMREF(dout)) {}

#define ARG(p, n) p, p, 0, n, 1

namespace {

constexpr int Threads = 256, Blocks = 4, N = Threads * Blocks;
int Failures = 0;

void expectNear(const char *What, int I, double Got, double Want,
                double Tolerance) {
  if (std::fabs(Got - Want) <= Tolerance * (1 + std::fabs(Want)))
    return;
  std::printf("FAIL %s[%d]: %.9g, expected %.9g\n", What, I, Got, Want);
  ++Failures;
}

float *device(const std::vector<float> &Host) {
  float *D = nullptr;
  cudaMalloc(&D, Host.size() * sizeof(float));
  cudaMemcpy(D, Host.data(), Host.size() * sizeof(float),
             cudaMemcpyHostToDevice);
  return D;
}

std::vector<float> host(const float *D, size_t N) {
  std::vector<float> H(N);
  cudaMemcpy(H.data(), D, N * sizeof(float), cudaMemcpyDeviceToHost);
  return H;
}

/// The sum over blocks of the primal kernel's outputs.
double total(const std::vector<float> &X) {
  float *DX = device(X), *DOut = device(std::vector<float>(Blocks));
  energy<<<Blocks, Threads>>>(ARG(DX, N), ARG(DOut, Blocks));
  std::vector<float> Out = host(DOut, Blocks);
  cudaFree(DX);
  cudaFree(DOut);
  double Sum = 0;
  for (float V : Out)
    Sum += V;
  return Sum;
}

} // namespace

int main() {
  std::vector<float> X(N), Direction(N);
  for (int I = 0; I < N; ++I) {
    X[I] = 1.5f * std::sin(0.37f * I);
    Direction[I] = std::cos(0.11f * I);
  }

  // Reverse mode.
  float *DX = device(X), *Shadow = device(std::vector<float>(N));
  float *DOut = device(std::vector<float>(Blocks));
  float *Seed = device(std::vector<float>(Blocks, 1.0f));
  energy_gradient<<<Blocks, Threads>>>(ARG(DX, N), ARG(Shadow, N),
                                       ARG(DOut, Blocks), ARG(Seed, Blocks));
  if (cudaDeviceSynchronize() != cudaSuccess) {
    std::printf("FAIL: gradient kernel\n");
    return 1;
  }
  std::vector<float> Gradient = host(Shadow, N);
  for (int I = 0; I < N; ++I)
    expectNear("gradient", I, Gradient[I], std::sin(2.0 * X[I]), 1e-5);
  for (int I : {0, 77, 300, N - 1}) {
    const float H = 1e-2f;
    std::vector<float> Plus = X, Minus = X;
    Plus[I] += H;
    Minus[I] -= H;
    double Central = (total(Plus) - total(Minus)) / (Plus[I] - Minus[I]);
    // Single precision sums of 1024 terms: the difference quotient carries
    // their rounding error over 2h.
    expectNear("central difference", I, Gradient[I], Central, 5e-3);
  }

  // Forward mode along Direction.
  float *Tangent = device(Direction);
  float *Out = device(std::vector<float>(Blocks));
  float *OutTangent = device(std::vector<float>(Blocks));
  energy_tangent<<<Blocks, Threads>>>(ARG(DX, N), ARG(Tangent, N),
                                      ARG(Out, Blocks),
                                      ARG(OutTangent, Blocks));
  std::vector<float> Tangents = host(OutTangent, Blocks);
  for (int Block = 0; Block < Blocks; ++Block) {
    double Want = 0;
    for (int I = Block * Threads; I < (Block + 1) * Threads; ++I)
      Want += std::sin(2.0 * X[I]) * Direction[I];
    expectNear("tangent", Block, Tangents[Block], Want, 1e-4);
  }

  std::printf("%s: gradient[77] = %.6f, tangent[0] = %.6f\n",
              Failures ? "FAILED" : "ok", Gradient[77], Tangents[0]);
  return Failures != 0;
}
