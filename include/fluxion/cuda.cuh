//===- fluxion/cuda.cuh - Derivatives on the GPU from host code -*- CUDA -*-===//
//
// batched_jacobian<N, M>(f, X, J, B): the Jacobians of B independent samples
// of a map f : R^N -> R^M on the GPU, one sample per thread. X (B x N) and
// J (B x M x N, each Jacobian row-major) are device pointers. f is a
// function object with a `__device__ void operator()(const T *x, T *y)
// const` (a struct or a `[] __device__` lambda); what it captures is
// constant. Each thread runs N forward-mode passes of f, seeded with the
// unit directions, as Lux.jl's batched_jacobian does per sample.
//
// The derivative is synthesized by Fluxion in the device compile; build
// with fluxion-clang++ -x cuda (or clang-22 -fpass-plugin=...), or run on
// the CPU with fluxion-cuda-cpu.
//
//===----------------------------------------------------------------------===//
#ifndef FLUXION_CUDA_CUH
#define FLUXION_CUDA_CUH

#include <cstddef>
#include <cuda_runtime.h>

extern "C" __device__ int enzyme_const;
extern "C" __device__ void fluxion_cuda_fwddiff(void *, ...)
    __asm__("__enzyme_fwddiff");

namespace fluxion {
namespace cuda {
namespace detail {

template <class F, class T>
__device__ void call_map(const F *Self, const T *X, T *Y) {
  (*Self)(X, Y);
}

template <class F, class T, int N, int M>
__global__ void batched_jacobian_kernel(F Fn, const T *X, T *J, int B) {
  int Sample = blockIdx.x * blockDim.x + threadIdx.x;
  if (Sample >= B)
    return;
  const T *Xs = X + std::size_t(Sample) * N;
  T *Js = J + std::size_t(Sample) * M * N;
  T Y[M], DY[M], V[N];
  for (int Column = 0; Column < N; ++Column) {
    for (int K = 0; K < N; ++K)
      V[K] = T(K == Column);
    fluxion_cuda_fwddiff((void *)call_map<F, T>, enzyme_const, &Fn, Xs, V, Y,
                         DY);
    for (int Row = 0; Row < M; ++Row)
      Js[Row * N + Column] = DY[Row];
  }
}

} // namespace detail

/// Launches the batched Jacobian on \p Stream; returns the launch status.
template <int N, int M, class F, class T>
cudaError_t batched_jacobian(const F &Fn, const T *X, T *J, int B,
                             cudaStream_t Stream = 0) {
  constexpr int Threads = 128;
  int Blocks = (B + Threads - 1) / Threads;
  if (B > 0)
    detail::batched_jacobian_kernel<F, T, N, M>
        <<<Blocks, Threads, 0, Stream>>>(Fn, X, J, B);
  return cudaGetLastError();
}

} // namespace cuda
} // namespace fluxion

#endif
