//===- fluxion/cuda.cuh - GPU derivatives from host code -------*- CUDA -*-===//
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
// threads, is added to *adjoint in device memory). The arguments are checked
// against the kernel's parameters at compile time, with the error at the
// call: constant(v) converts to its parameter's type as long as it does not
// narrow (a size_t for an int parameter does: write constant(int(n))),
// dup(p, shadow) must point to the parameter's element type (a double * may
// be passed for a const double * parameter), and active(v, &adjoint) must
// have the parameter's floating-point type exactly. The device
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
// J (B x M x N, each Jacobian row-major) are device pointers of float or
// double. f is a function object with a `__device__ void operator()(const
// T *x, T *y) const` (a struct or a `[] __device__` lambda); what it
// captures is constant. Each thread runs N forward-mode passes of f, seeded
// with the unit directions, as Lux.jl's batched_jacobian does per sample.
//
// The derivative is synthesized by Fluxion in the device compile; build
// with fluxion-clang++ -x cuda (or clang-22 -fpass-plugin=...), or run on
// the CPU with fluxion-cuda-cpu.
//
//===----------------------------------------------------------------------===//
#ifndef FLUXION_CUDA_CUH
#define FLUXION_CUDA_CUH

#include "fluxion/detail/arguments.hpp"

#include <atomic>
#include <cstddef>
#include <cuda_runtime.h>
#include <tuple>
#include <type_traits>
#include <utility>

// Misuse selects a deleted overload, so that the error is at the caller's
// line and says what is wrong (`= delete("why")`, C++26, which clang-22
// accepts in every language mode).
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wc++26-extensions"

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

// The arguments' activities: constant(v), dup(p, shadow), active(v, &a),
// shared with the host API (fluxion/detail/arguments.hpp). An active
// scalar's adjoint, computed by every thread, is added (atomically) to
// *Adjoint, a device pointer; at most one per kernel.
using fluxion::Active;
using fluxion::active;
using fluxion::Constant;
using fluxion::constant;
using fluxion::dup;
using fluxion::Duplicated;

namespace detail {

// Each argument becomes the builtin's marker and values.
template <class Type> __device__ auto markers(const Constant<Type> &Arg) {
  return std::make_tuple(enzyme_const, Arg.Value);
}
template <class Pointee>
__device__ auto markers(const Duplicated<Pointee> &Arg) {
  return std::make_tuple(enzyme_dup, Arg.Value, Arg.Shadow);
}

template <class Type> __device__ auto markers(const Active<Type> &Arg) {
  return std::make_tuple(enzyme_out, Arg.Value);
}

template <class Arg> struct ActiveValue {
  using Type = void;
};
template <class Value> struct ActiveValue<Active<Value>> {
  using Type = Value;
};
/// The type of the active scalar among \p Args, or void.
template <class... Args> struct ActiveScalar {
  using Type = void;
};
template <class First, class... Rest> struct ActiveScalar<First, Rest...> {
  using Type =
      std::conditional_t<!std::is_void_v<typename ActiveValue<First>::Type>,
                         typename ActiveValue<First>::Type,
                         typename ActiveScalar<Rest...>::Type>;
};

template <class Value, class Arg>
__device__ Value *adjointOf(const Arg &, Value *Found) {
  return Found;
}
template <class Value>
__device__ Value *adjointOf(const Active<Value> &Arg, Value *) {
  return Arg.Adjoint;
}

//===-- Arguments against the kernel's parameters -------------------------===//

enum class launch_misuse {
  none,
  not_a_kernel,      // the template argument is not a kernel
  count,             // not one argument per parameter
  not_an_argument,   // an argument is not constant(), dup() or active()
  constant,          // constant(v) does not convert to its parameter
  dup,               // dup(p, s) does not point to the parameter's type
  active,            // active(v, &a) is not of its parameter's type
  active_in_tangent, // active(v, &a) in forward mode
  several_active     // more than one active scalar
};

/// One argument against its kernel parameter; convert() gives the argument
/// with the parameter's exact type.
template <class Param, class Arg, bool Forward> struct argument {
  static constexpr launch_misuse misuse = launch_misuse::not_an_argument;
};
template <class Param, class Type, bool Forward>
struct argument<Param, Constant<Type>, Forward> {
  static constexpr launch_misuse misuse =
      fluxion::detail::converts_exactly<Type, Param>::value
          ? launch_misuse::none
          : launch_misuse::constant;
  static Constant<Param> convert(const Constant<Type> &Arg) {
    return {Param{Arg.Value}};
  }
};
template <class Param, class Pointee, bool Forward>
struct argument<Param, Duplicated<Pointee>, Forward> {
  using Target = std::remove_pointer_t<Param>;
  static constexpr launch_misuse misuse =
      std::is_pointer_v<Param> &&
              std::is_same_v<std::remove_cv_t<Pointee>,
                             std::remove_cv_t<Target>> &&
              std::is_convertible_v<Pointee *, Param>
          ? launch_misuse::none
          : launch_misuse::dup;
  static Duplicated<Target> convert(const Duplicated<Pointee> &Arg) {
    return {Arg.Value, Arg.Shadow};
  }
};
template <class Param, class Type, bool Forward>
struct argument<Param, Active<Type>, Forward> {
  static constexpr launch_misuse misuse =
      Forward ? launch_misuse::active_in_tangent
      : std::is_floating_point_v<Type> &&
              std::is_same_v<Type, std::remove_cv_t<Param>>
          ? launch_misuse::none
          : launch_misuse::active;
  static Active<Type> convert(const Active<Type> &Arg) { return Arg; }
};

template <class KernelPointer> struct kernel_signature {
  static constexpr bool is_kernel = false;
};
template <class... Params> struct kernel_signature<void (*)(Params...)> {
  static constexpr bool is_kernel = true;
  static constexpr std::size_t count = sizeof...(Params);

  template <bool Forward, class... Args>
  static constexpr launch_misuse check() {
    launch_misuse Found = launch_misuse::none;
    ((Found = Found != launch_misuse::none
                  ? Found
                  : argument<Params, Args, Forward>::misuse),
     ...);
    if (Found == launch_misuse::none &&
        (0 + ... + int(!std::is_void_v<typename ActiveValue<Args>::Type>)) > 1)
      Found = launch_misuse::several_active;
    return Found;
  }
};
template <class... Params>
struct kernel_signature<void (*)(Params...) noexcept>
    : kernel_signature<void (*)(Params...)> {};

/// What is wrong with launching the derivative of \p Kernel on \p Args.
template <bool Forward, auto Kernel, class... Args>
constexpr launch_misuse launch_misuse_of() {
  using Signature = kernel_signature<decltype(Kernel)>;
  if constexpr (!Signature::is_kernel)
    return launch_misuse::not_a_kernel;
  else if constexpr (Signature::count != sizeof...(Args))
    return launch_misuse::count;
  else
    return Signature::template check<Forward, Args...>();
}

// The plugin simplifies these kernels before reading their builtin calls,
// so the markers reach the calls at -O0 too.
#define FLUXION_SIMPLIFY __attribute__((annotate("fluxion.simplify")))

/// The thread's index among all threads of the launch.
__device__ inline unsigned long long launchThreadIndex() {
  unsigned long long BlockIndex =
      blockIdx.x +
      gridDim.x * (blockIdx.y + gridDim.y * (unsigned long long)blockIdx.z);
  unsigned long long InBlock =
      threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
  return BlockIndex * blockDim.x * blockDim.y * blockDim.z + InBlock;
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
  using Scalar = typename ActiveScalar<Args...>::Type;
  char *Slice = Arena ? Arena + launchThreadIndex() * ThreadBytes : nullptr;
  auto Flat = std::tuple_cat(std::make_tuple(ad_tape_arena, Slice, ThreadBytes),
                             markers(As)...);
  if constexpr (std::is_void_v<Scalar>) {
    std::apply(
        [](auto... Values) {
          fluxion_cuda_autodiff((void *)Kernel, Values...);
        },
        Flat);
  } else {
    using Builtin = Scalar (*)(void *, ...);
    Scalar Adjoint = std::apply(
        [](auto... Values) {
          return ((Builtin)fluxion_cuda_autodiff)((void *)Kernel, Values...);
        },
        Flat);
    Scalar *Target = nullptr;
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

template <class Fn, class Real>
__device__ void call_map(const Fn *Self, const Real *In, Real *Out) {
  (*Self)(In, Out);
}

template <class Fn, class Real, int Inputs, int Outputs>
FLUXION_SIMPLIFY __global__ void
batched_jacobian_kernel(Fn Map, const Real *Samples, Real *Jacobians,
                        int Batch) {
  int Sample = blockIdx.x * blockDim.x + threadIdx.x;
  if (Sample >= Batch)
    return;
  const Real *In = Samples + std::size_t(Sample) * Inputs;
  Real *Jacobian = Jacobians + std::size_t(Sample) * Outputs * Inputs;
  Real Out[Outputs], OutTangent[Outputs], Direction[Inputs];
  for (int Column = 0; Column < Inputs; ++Column) {
    for (int Index = 0; Index < Inputs; ++Index)
      Direction[Index] = Real(Index == Column);
    fluxion_cuda_fwddiff((void *)call_map<Fn, Real>, enzyme_const, &Map, In,
                         Direction, Out, OutTangent);
    for (int Row = 0; Row < Outputs; ++Row)
      Jacobian[Row * Inputs + Column] = OutTangent[Row];
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
  if (cudaError_t Status =
          allowSharedBytes(tape_bytes_kernel<Kernel, Args...>, SharedBytes))
    return Status;
  unsigned long long *Device;
  if (cudaError_t Status =
          cudaMallocAsync((void **)&Device, sizeof Sizes, Stream))
    return Status;
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

/// gradient() once its arguments have their parameters' types.
template <auto Kernel, class... Args>
cudaError_t launchGradient(dim3 Grid, dim3 Block, std::size_t SharedBytes,
                           cudaStream_t Stream, Args... As) {
  static std::atomic<int> Reserves{-1};
  static std::atomic<unsigned long long> FixedBytes{0};
  std::size_t Shared = derivativeSharedBytes(SharedBytes);
  if (cudaError_t Status =
          allowSharedBytes(gradient_kernel<Kernel, Args...>, Shared))
    return Status;
  int Reserved = Reserves.load(std::memory_order_acquire);
  unsigned long long ThreadBytes =
      Reserved == 2 ? FixedBytes.load(std::memory_order_relaxed) : 0;
  if (Reserved == -1 || Reserved == 1) {
    unsigned long long Sizes[2] = {0, 0};
    if (cudaError_t Status =
            sizeTape<Kernel>(Grid, Block, Shared, Stream, Sizes, As...))
      return Status;
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
  gradient_kernel<Kernel, Args...>
      <<<Grid, Block, Shared, Stream>>>(Arena, ThreadBytes, As...);
  cudaError_t Launched = cudaGetLastError();
  if (Arena)
    cudaFreeAsync(Arena, Stream);
  return Launched;
}

/// tangent() once its arguments have their parameters' types.
template <auto Kernel, class... Args>
cudaError_t launchTangent(dim3 Grid, dim3 Block, std::size_t SharedBytes,
                          cudaStream_t Stream, Args... As) {
  std::size_t Shared = derivativeSharedBytes(SharedBytes);
  if (cudaError_t Status =
          allowSharedBytes(tangent_kernel<Kernel, Args...>, Shared))
    return Status;
  tangent_kernel<Kernel, Args...><<<Grid, Block, Shared, Stream>>>(As...);
  return cudaGetLastError();
}

/// Converts each argument to its parameter's type and launches.
template <class KernelPointer> struct launcher;
template <class... Params> struct launcher<void (*)(Params...)> {
  template <auto Kernel, class... Args>
  static cudaError_t gradient(dim3 Grid, dim3 Block, std::size_t SharedBytes,
                              cudaStream_t Stream, Args... As) {
    return launchGradient<Kernel>(
        Grid, Block, SharedBytes, Stream,
        argument<Params, Args, false>::convert(As)...);
  }
  template <auto Kernel, class... Args>
  static cudaError_t tangent(dim3 Grid, dim3 Block, std::size_t SharedBytes,
                             cudaStream_t Stream, Args... As) {
    return launchTangent<Kernel>(Grid, Block, SharedBytes, Stream,
                                 argument<Params, Args, true>::convert(As)...);
  }
};
template <class... Params>
struct launcher<void (*)(Params...) noexcept> : launcher<void (*)(Params...)> {
};

// The overloads that make each misuse an error at the caller's line.
#define FLUXION_CUDA_REJECT_(NAME, FORWARD, KIND, WHY)                         \
  template <auto Kernel, class... Args,                                        \
            std::enable_if_t<::fluxion::cuda::detail::launch_misuse_of<        \
                                 FORWARD, Kernel, Args...>() ==                \
                                 ::fluxion::cuda::detail::launch_misuse::KIND, \
                             int> = 0>                                         \
  cudaError_t NAME(dim3, dim3, std::size_t, cudaStream_t, Args...) =           \
      delete ("fluxion::cuda::" #NAME ": " WHY);
#define FLUXION_CUDA_REJECT_ALL_(NAME, FORWARD)                                \
  FLUXION_CUDA_REJECT_(NAME, FORWARD, not_a_kernel,                            \
                       "the template argument must be a __global__ function")  \
  FLUXION_CUDA_REJECT_(NAME, FORWARD, count,                                   \
                       "pass one argument per kernel parameter")               \
  FLUXION_CUDA_REJECT_(NAME, FORWARD, not_an_argument,                         \
                       "pass each kernel argument as constant(v), "            \
                       "dup(pointer, shadow) or active(v, &adjoint)")          \
  FLUXION_CUDA_REJECT_(NAME, FORWARD, constant,                                \
                       "constant(v) must have its kernel parameter's type or " \
                       "convert to it without narrowing (a size_t for an int " \
                       "parameter narrows: write constant(int(n)))")           \
  FLUXION_CUDA_REJECT_(NAME, FORWARD, dup,                                     \
                       "dup(pointer, shadow) must point to its kernel "        \
                       "parameter's element type (a float * does not take a "  \
                       "double * parameter)")                                  \
  FLUXION_CUDA_REJECT_(NAME, FORWARD, active,                                  \
                       "active(v, &adjoint) must have its kernel parameter's " \
                       "floating-point type exactly (for a double parameter, " \
                       "active(3.0, double *), not active(3.0f, float *))")    \
  FLUXION_CUDA_REJECT_(NAME, FORWARD, active_in_tangent,                       \
                       "active(v, &adjoint) is for reverse mode (gradient); "  \
                       "forward mode takes scalars as constant(v)")            \
  FLUXION_CUDA_REJECT_(NAME, FORWARD, several_active,                          \
                       "at most one active scalar; pass the others by "        \
                       "pointer with dup")

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
template <auto Kernel, class... Args,
          std::enable_if_t<detail::launch_misuse_of<false, Kernel, Args...>() ==
                               detail::launch_misuse::none,
                           int> = 0>
cudaError_t gradient(dim3 Grid, dim3 Block, std::size_t SharedBytes,
                     cudaStream_t Stream, Args... As) {
  return detail::launcher<decltype(Kernel)>::template gradient<Kernel>(
      Grid, Block, SharedBytes, Stream, As...);
}
FLUXION_CUDA_REJECT_ALL_(gradient, false)

/// Launches the forward-mode derivative of \p Kernel: the shadows of its
/// duplicated arguments carry tangents in and out. Returns the launch status.
template <auto Kernel, class... Args,
          std::enable_if_t<detail::launch_misuse_of<true, Kernel, Args...>() ==
                               detail::launch_misuse::none,
                           int> = 0>
cudaError_t tangent(dim3 Grid, dim3 Block, std::size_t SharedBytes,
                    cudaStream_t Stream, Args... As) {
  return detail::launcher<decltype(Kernel)>::template tangent<Kernel>(
      Grid, Block, SharedBytes, Stream, As...);
}
FLUXION_CUDA_REJECT_ALL_(tangent, true)

#undef FLUXION_CUDA_REJECT_ALL_
#undef FLUXION_CUDA_REJECT_

/// Launches the batched Jacobian on \p Stream; returns the launch status.
template <int Inputs, int Outputs, class Fn, class Real>
cudaError_t batched_jacobian(const Fn &Map, const Real *Samples,
                             Real *Jacobians, int Batch,
                             cudaStream_t Stream = 0) {
  static_assert(std::is_same_v<Real, float> || std::is_same_v<Real, double>,
                "fluxion::cuda::batched_jacobian: the data must be float or "
                "double");
  static_assert(Inputs > 0 && Outputs > 0,
                "fluxion::cuda::batched_jacobian: the sizes must be positive");
  constexpr int Threads = 128;
  int Blocks = (Batch + Threads - 1) / Threads;
  if (Batch > 0)
    detail::batched_jacobian_kernel<Fn, Real, Inputs, Outputs>
        <<<Blocks, Threads, 0, Stream>>>(Map, Samples, Jacobians, Batch);
  return cudaGetLastError();
}

} // namespace cuda
} // namespace fluxion

#pragma clang diagnostic pop

#endif
