//===- Drivers.cpp - Jacobians, batched Jacobians and Hessians ------------===//
//
// The drivers turn derivative kernels into matrices. They own every seed and
// tangent buffer (per thread, reused from call to call, so a driver called
// in a loop does not allocate), pick forward or reverse mode by the shape of
// the map, chunk vector forward mode, and spread independent work (samples,
// Hessian columns) over the thread pool. Each is a template over the
// element type, instantiated for double and float behind the C entry points
// at the end of the file.
//
//===----------------------------------------------------------------------===//
#include "ThreadPool.h"

#include "fluxion/runtime.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <vector>

namespace fluxion::rt {
namespace {

template <class T> struct Map;
template <> struct Map<double> { using Type = fluxion_map_d; };
template <> struct Map<float> { using Type = fluxion_map_f; };
template <class T> struct Scalar;
template <> struct Scalar<double> { using Type = fluxion_scalar_d; };
template <> struct Scalar<float> { using Type = fluxion_scalar_f; };

// Work buffers that live as long as their thread. A slot is one purpose
// (seeds, tangents, ...); drivers that call each other use distinct slots.
enum Slot { SeedSlot, TangentSlot, PrimalSlot, AuxSlot, NumSlots };

template <class T> T *buffer(Slot S, size_t Size) {
  thread_local std::vector<T> Buffers[NumSlots];
  std::vector<T> &B = Buffers[S];
  if (B.size() < Size)
    B.resize(Size);
  return B.data();
}

template <class T> void zero(T *P, size_t N) {
  std::memset(static_cast<void *>(P), 0, N * sizeof(T));
}

template <class Kernels> unsigned widthOf(const Kernels &F) {
  if (!F.jvp_vec || F.width <= 1)
    return 1;
  return std::min<unsigned>(F.width, FLUXION_MAX_WIDTH);
}

// Forward mode over `Samples` samples at once (1 for an ordinary Jacobian):
// each pass seeds input direction j in every sample, so sample b's tangent
// output is column j of its Jacobian. J is Samples x m x n.
template <class T>
void forwardColumns(const typename Map<T>::Type &F, const T *X, T *J, T *Y,
                    size_t N, size_t M, size_t Samples) {
  const size_t In = N * Samples, Out = M * Samples;
  const unsigned W = widthOf(F);
  T *Seeds = buffer<T>(SeedSlot, W * In);
  T *Tangents = buffer<T>(TangentSlot, W * Out);
  T *Primal = Y ? Y : buffer<T>(PrimalSlot, Out);
  zero(Seeds, W * In);
  const T *SeedPtr[FLUXION_MAX_WIDTH];
  T *TangentPtr[FLUXION_MAX_WIDTH];
  for (unsigned K = 0; K < W; ++K) {
    SeedPtr[K] = Seeds + K * In;
    TangentPtr[K] = Tangents + K * Out;
  }
  for (size_t J0 = 0; J0 < N; J0 += W) {
    // Lanes past the last column keep zero seeds; their output is unused.
    const unsigned Lanes = static_cast<unsigned>(std::min<size_t>(W, N - J0));
    for (unsigned K = 0; K < Lanes; ++K)
      for (size_t B = 0; B < Samples; ++B)
        Seeds[K * In + B * N + J0 + K] = T(1);
    if (W > 1)
      F.jvp_vec(F.ctx, X, SeedPtr, Primal, TangentPtr);
    else
      F.jvp(F.ctx, X, Seeds, Primal, Tangents);
    for (unsigned K = 0; K < Lanes; ++K) {
      const T *Col = Tangents + K * Out;
      for (size_t B = 0; B < Samples; ++B)
        for (size_t I = 0; I < M; ++I)
          J[(B * M + I) * N + J0 + K] = Col[B * M + I];
      for (size_t B = 0; B < Samples; ++B)
        Seeds[K * In + B * N + J0 + K] = T(0);
    }
  }
}

// Reverse mode: one pass per output row, seeding output i of every sample.
template <class T>
void reverseRows(const typename Map<T>::Type &F, const T *X, T *J, T *Y,
                 size_t N, size_t M, size_t Samples) {
  const size_t In = N * Samples, Out = M * Samples;
  T *Seed = buffer<T>(SeedSlot, Out);
  T *Adjoint = buffer<T>(TangentSlot, In);
  T *Primal = Y ? Y : buffer<T>(PrimalSlot, Out);
  for (size_t I = 0; I < M; ++I) {
    // The kernel consumes the seed, and adjoints accumulate: reset both.
    zero(Seed, Out);
    for (size_t B = 0; B < Samples; ++B)
      Seed[B * M + I] = T(1);
    zero(Adjoint, In);
    F.vjp(F.ctx, X, Seed, Primal, Adjoint);
    for (size_t B = 0; B < Samples; ++B)
      std::memcpy(J + (B * M + I) * N, Adjoint + B * N, N * sizeof(T));
  }
}

template <class T>
int jacobian(const typename Map<T>::Type *F, const T *X, T *J, T *Y, size_t N,
             size_t M, fluxion_jacobian_mode Mode, size_t Samples) {
  if (!F || (N && !X) || (N && M && !J))
    return FLUXION_EINVAL;
  const bool HasForward = F->jvp || (F->jvp_vec && F->width > 1);
  const bool HasReverse = F->vjp != nullptr;
  bool Forward;
  switch (Mode) {
  case FLUXION_JACOBIAN_FORWARD:
    Forward = true;
    break;
  case FLUXION_JACOBIAN_REVERSE:
    Forward = false;
    break;
  default:
    // n <= m: ceil(n/W) forward passes beat m reverse passes, which also
    // pay for a tape; otherwise reverse. Fall back to what exists.
    Forward = HasForward && (N <= M || !HasReverse);
    break;
  }
  if (Forward ? !HasForward : !HasReverse)
    return FLUXION_EINVAL;
  try {
    if (Forward)
      forwardColumns<T>(*F, X, J, Y, N, M, Samples);
    else
      reverseRows<T>(*F, X, J, Y, N, M, Samples);
  } catch (const std::bad_alloc &) {
    return FLUXION_ENOMEM;
  }
  return FLUXION_OK;
}

template <class T>
int batchedJacobian(const typename Map<T>::Type *F, const T *X, T *J, size_t N,
                    size_t M, size_t B) {
  if (!F || (B && N && !X) || (B && N && M && !J))
    return FLUXION_EINVAL;
  int Status = FLUXION_OK;
  // Samples are independent; each thread reuses its own work buffers.
  parallelFor(B, [&](size_t S) {
    int R = jacobian<T>(F, X + S * N, J + S * M * N, nullptr, N, M,
                        FLUXION_JACOBIAN_AUTO, 1);
    if (R != FLUXION_OK)
      __atomic_store_n(&Status, R, __ATOMIC_RELAXED);
  });
  return Status;
}

template <class T>
int hessian(const typename Scalar<T>::Type *F, const T *X, T *H, size_t N) {
  if (!F || !F->hvp || (N && (!X || !H)))
    return FLUXION_EINVAL;
  bool OutOfMemory = false;
  // Column j is H e_j; columns are independent, so they run in parallel.
  parallelFor(N, [&](size_t Col) {
    try {
      T *E = buffer<T>(SeedSlot, N);
      T *Hv = buffer<T>(TangentSlot, N);
      T *Scratch = buffer<T>(AuxSlot, N);
      zero(E, N);
      E[Col] = T(1);
      F->hvp(F->ctx, X, E, Hv, Scratch, N);
      for (size_t I = 0; I < N; ++I)
        H[I * N + Col] = Hv[I];
    } catch (const std::bad_alloc &) {
      __atomic_store_n(&OutOfMemory, true, __ATOMIC_RELAXED);
    }
  });
  return OutOfMemory ? FLUXION_ENOMEM : FLUXION_OK;
}

template <class T>
int hvp(const typename Scalar<T>::Type *F, const T *X, const T *V, T *Hv,
        size_t N) {
  if (!F || !F->hvp || (N && (!X || !V || !Hv)))
    return FLUXION_EINVAL;
  try {
    F->hvp(F->ctx, X, V, Hv, buffer<T>(AuxSlot, N), N);
  } catch (const std::bad_alloc &) {
    return FLUXION_ENOMEM;
  }
  return FLUXION_OK;
}

} // namespace
} // namespace fluxion::rt

#define FLUXION_DEFINE_DRIVERS(T, S)                                           \
  __attribute__((visibility("default"))) int fluxion_jacobian_##S(             \
      const fluxion_map_##S *f, const T *x, T *J, T *y, size_t n, size_t m,    \
      fluxion_jacobian_mode mode) {                                            \
    return fluxion::rt::jacobian<T>(f, x, J, y, n, m, mode, 1);                \
  }                                                                            \
  __attribute__((visibility("default"))) int fluxion_batched_jacobian_##S(     \
      const fluxion_map_##S *f, const T *X, T *J, size_t n, size_t m,          \
      size_t B) {                                                              \
    return fluxion::rt::batchedJacobian<T>(f, X, J, n, m, B);                  \
  }                                                                            \
  __attribute__((visibility("default"))) int                                   \
      fluxion_batched_jacobian_joint_##S(const fluxion_map_##S *f, const T *X, \
                                         T *J, size_t n, size_t m, size_t B) { \
    if (B == 0)                                                                \
      return f ? FLUXION_OK : FLUXION_EINVAL;                                  \
    return fluxion::rt::jacobian<T>(f, X, J, nullptr, n, m,                    \
                                    FLUXION_JACOBIAN_AUTO, B);                 \
  }                                                                            \
  __attribute__((visibility("default"))) int fluxion_hessian_##S(              \
      const fluxion_scalar_##S *f, const T *x, T *H, size_t n) {               \
    return fluxion::rt::hessian<T>(f, x, H, n);                                \
  }                                                                            \
  __attribute__((visibility("default"))) int fluxion_hvp_##S(                  \
      const fluxion_scalar_##S *f, const T *x, const T *v, T *Hv, size_t n) {  \
    return fluxion::rt::hvp<T>(f, x, v, Hv, n);                                \
  }

extern "C" {
FLUXION_DEFINE_DRIVERS(double, d)
FLUXION_DEFINE_DRIVERS(float, f)
}
