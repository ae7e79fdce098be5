//===- fluxion/cuda.cuh - Derivatives on the GPU from host code -*- CUDA
//-*-===//
//
// Whole-kernel derivatives, launched from host code with the primal's grid,
// block, dynamic shared memory and stream, without writing a kernel:
//
//   __global__ void saxpy(double a, const double *x, double *y, int n);
//   // adjoint: dx += (dy^T dy_out/dx), with dy the adjoint of y
//   fluxion::cuda::gradient<saxpy>(grid, block, 0, stream,
//       fluxion::cuda::constant(a), fluxion::cuda::dup(x, dx),
//       fluxion::cuda::dup(y, dy), fluxion::cuda::constant(n));
//   // tangent: dy = d y_out along dx
//   fluxion::cuda::tangent<saxpy>(grid, block, 0, stream, ...same...);
//
// Each argument of the kernel is passed as constant(v) (inactive),
// dup(v, shadow) (a pointer and its adjoint or tangent memory) or, in
// reverse mode, active(v, &adjoint) (a scalar whose adjoint, summed over the
// threads, is added to *adjoint in device memory). The device
// compile synthesizes the derivative of the kernel body for every thread, as
// the builtins do in device code: adjoints other threads may also write are
// added atomically, barriers are mirrored, __shared__ arrays get shadows.
// The derivative launches with twice the dynamic shared memory asked for
// (rounded up to 16 bytes): the shadow of `extern __shared__` memory is its
// second half. Above 48 KiB the launchers opt their kernels in. Reverse mode
// adds into the shadows (zero them, or seed them with the output adjoints,
// before the launch) and leaves the primal outputs as the kernel computes
// them.
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

#include <atomic>
#include <cstddef>
#include <cuda_runtime.h>
#include <tuple>
#include <type_traits>

extern "C" __device__ int enzyme_const;
extern "C" __device__ void
fluxion_cuda_fwddiff(void *, ...) __asm__("__enzyme_fwddiff");

extern "C" __device__ int enzyme_dup;
extern "C" __device__ int enzyme_out;
extern "C" __device__ int ad_tape_arena;
extern "C" __device__ void
fluxion_cuda_autodiff(void *, ...) __asm__("__enzyme_autodiff");
extern "C" __device__ unsigned long long
fluxion_cuda_tape_bytes(void *, ...) __asm__("__ad_tape_bytes");
extern "C" __device__ unsigned long long
fluxion_cuda_tape_reserved(void *, ...) __asm__("__ad_tape_reserved");

namespace fluxion {
namespace cuda {

/// An inactive kernel argument.
template <class T> struct Constant { T Value; };
/// A pointer argument with its shadow: adjoint memory in reverse mode,
/// tangent memory in forward mode.
template <class T> struct Duplicated {
  T *Value;
  std::remove_const_t<T> *Shadow;
};

/// An active scalar argument: the adjoint every thread computes for it is
/// added (atomically) to *Adjoint, a device pointer. At most one per kernel.
template <class T> struct Active {
  T Value;
  T *Adjoint;
};

template <class T> Constant<T> constant(T Value) { return {Value}; }
template <class T> Active<T> active(T Value, T *Adjoint) {
  return {Value, Adjoint};
}
template <class T> Duplicated<T> dup(T *Value, std::remove_const_t<T> *Shadow) {
  return {Value, Shadow};
}

namespace detail {

// Each argument becomes the builtin's marker and values.
template <class T> __device__ auto markers(const Constant<T> &A) {
  return std::make_tuple(enzyme_const, A.Value);
}
template <class T> __device__ auto markers(const Duplicated<T> &A) {
  return std::make_tuple(enzyme_dup, A.Value, A.Shadow);
}

template <class T> __device__ auto markers(const Active<T> &A) {
  return std::make_tuple(enzyme_out, A.Value);
}

template <class T> struct ActiveValue { using Type = void; };
template <class T> struct ActiveValue<Active<T>> { using Type = T; };
/// The type of the active scalar among \p Args, or void.
template <class... Args> struct ActiveScalar { using Type = void; };
template <class A, class... Rest> struct ActiveScalar<A, Rest...> {
  using Type =
      std::conditional_t<!std::is_void_v<typename ActiveValue<A>::Type>,
                         typename ActiveValue<A>::Type,
                         typename ActiveScalar<Rest...>::Type>;
};

template <class T, class A> __device__ T *adjointOf(const A &, T *Found) {
  return Found;
}
template <class T> __device__ T *adjointOf(const Active<T> &A, T *) {
  return A.Adjoint;
}

// The plugin simplifies these kernels before reading their builtin calls,
// so the markers reach the calls at -O0 too.
#define FLUXION_SIMPLIFY __attribute__((annotate("fluxion.simplify")))

/// The thread's index among all threads of the launch.
__device__ inline unsigned long long launchThreadIndex() {
  unsigned long long Block =
      blockIdx.x +
      gridDim.x * (blockIdx.y + gridDim.y * (unsigned long long)blockIdx.z);
  unsigned long long InBlock =
      threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
  return Block * blockDim.x * blockDim.y * blockDim.z + InBlock;
}

/// Sizes[0]: the most tape-arena bytes a thread of the launch takes;
/// Sizes[1]: __ad_tape_reserved (0: none, 1: depending on the arguments, 2:
/// the same for every launch).
template <auto Kernel, class... Args>
FLUXION_SIMPLIFY __global__ void tape_bytes_kernel(unsigned long long *Sizes,
                                                   Args... As) {
  auto Flat = std::tuple_cat(markers(As)...);
  unsigned long long Bytes = std::apply(
      [](auto... Values) {
        return fluxion_cuda_tape_bytes((void *)Kernel, Values...);
      },
      Flat);
  if (Bytes)
    atomicMax(Sizes, Bytes);
  if (launchThreadIndex() == 0)
    Sizes[1] = std::apply(
        [](auto... Values) {
          return fluxion_cuda_tape_reserved((void *)Kernel, Values...);
        },
        Flat);
}

template <auto Kernel, class... Args>
FLUXION_SIMPLIFY __global__ void
gradient_kernel(char *Arena, unsigned long long ThreadBytes, Args... As) {
  using T = typename ActiveScalar<Args...>::Type;
  static_assert((0 + ... + !std::is_void_v<typename ActiveValue<Args>::Type>) <=
                    1,
                "fluxion::cuda::gradient: at most one active scalar; pass "
                "others by pointer with dup");
  char *Slice = Arena ? Arena + launchThreadIndex() * ThreadBytes : nullptr;
  auto Flat = std::tuple_cat(std::make_tuple(ad_tape_arena, Slice, ThreadBytes),
                             markers(As)...);
  if constexpr (std::is_void_v<T>) {
    std::apply(
        [](auto... Values) {
          fluxion_cuda_autodiff((void *)Kernel, Values...);
        },
        Flat);
  } else {
    using Builtin = T (*)(void *, ...);
    T Adjoint = std::apply(
        [](auto... Values) {
          return ((Builtin)fluxion_cuda_autodiff)((void *)Kernel, Values...);
        },
        Flat);
    T *Target = nullptr;
    ((Target = adjointOf(As, Target)), ...);
    atomicAdd(Target, Adjoint);
  }
}

template <auto Kernel, class... Args>
FLUXION_SIMPLIFY __global__ void tangent_kernel(Args... As) {
  std::apply(
      [](auto... Flat) { fluxion_cuda_fwddiff((void *)Kernel, Flat...); },
      std::tuple_cat(markers(As)...));
}

template <class F, class T>
__device__ void call_map(const F *Self, const T *X, T *Y) {
  (*Self)(X, Y);
}

template <class F, class T, int N, int M>
FLUXION_SIMPLIFY __global__ void batched_jacobian_kernel(F Fn, const T *X, T *J,
                                                         int B) {
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

/// The dynamic shared memory of a derivative launch: the primal's bytes,
/// rounded up to 16 so that what follows is aligned, and as many again,
/// where the shadow of `extern __shared__` memory lives.
inline std::size_t derivativeSharedBytes(std::size_t Primal) {
  return 2 * ((Primal + 15) / 16 * 16);
}

/// Lets \p Kernel launch with \p Bytes of dynamic shared memory when that
/// is more than the 48 KiB every kernel may use.
template <class KernelFn>
cudaError_t allowSharedBytes(KernelFn *Kernel, std::size_t Bytes) {
  if (Bytes <= 48 * 1024)
    return cudaSuccess;
  return cudaFuncSetAttribute((const void *)Kernel,
                              cudaFuncAttributeMaxDynamicSharedMemorySize,
                              int(Bytes));
}

/// Runs tape_bytes_kernel with the launch's configuration and waits for it:
/// Sizes[0] the most tape-arena bytes a thread takes, Sizes[1]
/// __ad_tape_reserved.
template <auto Kernel, class... Args>
cudaError_t sizeTape(dim3 Grid, dim3 Block, std::size_t SharedBytes,
                     cudaStream_t Stream, unsigned long long (&Sizes)[2],
                     Args... As) {
  if (cudaError_t E =
          allowSharedBytes(tape_bytes_kernel<Kernel, Args...>, SharedBytes))
    return E;
  unsigned long long *Device;
  if (cudaError_t E = cudaMallocAsync((void **)&Device, sizeof Sizes, Stream))
    return E;
  cudaMemsetAsync(Device, 0, sizeof Sizes, Stream);
  tape_bytes_kernel<Kernel, Args...>
      <<<Grid, Block, SharedBytes, Stream>>>(Device, As...);
  cudaError_t Launched = cudaGetLastError();
  if (Launched == cudaSuccess)
    cudaMemcpyAsync(Sizes, Device, sizeof Sizes, cudaMemcpyDeviceToHost,
                    Stream);
  cudaFreeAsync(Device, Stream);
  if (Launched != cudaSuccess)
    return Launched;
  return cudaStreamSynchronize(Stream);
}

} // namespace detail

/// Launches the reverse-mode derivative of \p Kernel: adjoints are added to
/// the shadows of its duplicated arguments. Returns the launch status.
///
/// When the kernel body has loops whose values the reverse sweep needs, a
/// first launch computes how much tape each thread takes (from the trip
/// counts, before any loop runs), the stream waits for it, and the tape is
/// one allocation on \p Stream for the launch (cudaMallocAsync), a slice
/// per thread, freed after the adjoint launch (cudaFreeAsync). Kernels
/// without such loops, or whose loops' trip counts are constants, learn so
/// at their first launch and skip the sizing (and the wait) afterwards; the
/// wait keeps the others out of CUDA graph capture. Tape the sizing could
/// not foresee (loops whose trip count is only known as they run) comes
/// from the device heap.
template <auto Kernel, class... Args>
cudaError_t gradient(dim3 Grid, dim3 Block, std::size_t SharedBytes,
                     cudaStream_t Stream, Args... As) {
  static std::atomic<int> Reserves{-1};
  static std::atomic<unsigned long long> FixedBytes{0};
  std::size_t Shared = detail::derivativeSharedBytes(SharedBytes);
  if (cudaError_t E = detail::allowSharedBytes(
          detail::gradient_kernel<Kernel, Args...>, Shared))
    return E;
  int Reserved = Reserves.load(std::memory_order_acquire);
  unsigned long long ThreadBytes =
      Reserved == 2 ? FixedBytes.load(std::memory_order_relaxed) : 0;
  if (Reserved == -1 || Reserved == 1) {
    unsigned long long Sizes[2] = {0, 0};
    if (cudaError_t E =
            detail::sizeTape<Kernel>(Grid, Block, Shared, Stream, Sizes, As...))
      return E;
    ThreadBytes = Sizes[0];
    if (Sizes[1] == 2)
      FixedBytes.store(ThreadBytes, std::memory_order_relaxed);
    Reserves.store(int(Sizes[1]), std::memory_order_release);
  }
  std::size_t Threads =
      std::size_t(Grid.x) * Grid.y * Grid.z * Block.x * Block.y * Block.z;
  char *Arena = nullptr;
  // Without the memory the stacks fall back to the device heap.
  if (ThreadBytes && cudaMallocAsync((void **)&Arena, ThreadBytes * Threads,
                                     Stream) != cudaSuccess) {
    cudaGetLastError();
    Arena = nullptr;
    ThreadBytes = 0;
  }
  detail::gradient_kernel<Kernel, Args...>
      <<<Grid, Block, Shared, Stream>>>(Arena, ThreadBytes, As...);
  cudaError_t Launched = cudaGetLastError();
  if (Arena)
    cudaFreeAsync(Arena, Stream);
  return Launched;
}

/// Launches the forward-mode derivative of \p Kernel: the shadows of its
/// duplicated arguments carry tangents in and out. Returns the launch status.
template <auto Kernel, class... Args>
cudaError_t tangent(dim3 Grid, dim3 Block, std::size_t SharedBytes,
                    cudaStream_t Stream, Args... As) {
  std::size_t Shared = detail::derivativeSharedBytes(SharedBytes);
  if (cudaError_t E = detail::allowSharedBytes(
          detail::tangent_kernel<Kernel, Args...>, Shared))
    return E;
  detail::tangent_kernel<Kernel, Args...>
      <<<Grid, Block, Shared, Stream>>>(As...);
  return cudaGetLastError();
}

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
