// fluxion/cuda.cuh uses no identifier a user macro of one capital letter
// can replace. CUDA's own headers are not proof against such macros, so
// they are defined after <cuda_runtime.h> here (clang includes it first in
// every CUDA compile).
// REQUIRES: cuda
// RUN: %fluxion-clang++ %cuda-flags -std=c++17 -fsyntax-only %s
#include <cuda_runtime.h>
#define N 4
#define M 3
#define V 1
#define X 2
#define J 5
#define W 6
#define F 7
#define T 8
#define A 9
#define B 10
#define E 11
#define K 12
#define Y 13
#include <fluxion/cuda.cuh>

__global__ void scale(double a, const double *x, double *y, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    y[i] = a * x[i];
}
struct product {
  __device__ void operator()(const double *x, double *y) const {
    y[0] = x[0] * x[1];
  }
};

cudaError_t uses(double *x, double *dx, double *y, double *dy, double *da,
                 double *jac) {
  using namespace fluxion::cuda;
  if (cudaError_t status = gradient<scale>(
          1, 64, 0, 0, active(2.0, da), dup(x, dx), dup(y, dy), constant(64)))
    return status;
  if (cudaError_t status = tangent<scale>(1, 64, 0, 0, constant(2.0),
                                          dup(x, dx), dup(y, dy), constant(64)))
    return status;
  return batched_jacobian<2, 1>(product{}, x, jac, 32);
}
