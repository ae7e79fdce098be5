// Result checking shared by the CUDA test programs. Each program compares
// what its kernels computed with the same computation done on the host in
// plain C++, and exits non-zero at the end if anything disagreed.
#ifndef FLUXION_TEST_CUDA_CHECK_CUH
#define FLUXION_TEST_CUDA_CHECK_CUH

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

static int Failures = 0;

#define CHECK(Cond)                                                            \
  do {                                                                         \
    if (!(Cond)) {                                                             \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #Cond); \
      ++Failures;                                                              \
    }                                                                          \
  } while (0)

#define CHECK_NEAR(Got, Want, Tol)                                             \
  do {                                                                         \
    double G_ = (Got), W_ = (Want);                                            \
    if (!(std::fabs(G_ - W_) <= (Tol) * (1.0 + std::fabs(W_)))) {              \
      fprintf(stderr, "%s:%d: %s = %.17g, expected %.17g\n", __FILE__,         \
              __LINE__, #Got, G_, W_);                                         \
      ++Failures;                                                              \
    }                                                                          \
  } while (0)

#define CUDA_CHECK(Call)                                                       \
  do {                                                                         \
    cudaError_t E_ = (Call);                                                   \
    if (E_ != cudaSuccess) {                                                   \
      fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__, #Call,     \
              cudaGetErrorString(E_));                                         \
      exit(1);                                                                 \
    }                                                                          \
  } while (0)

// Launches report configuration errors through cudaGetLastError.
#define LAUNCH_CHECK() CUDA_CHECK(cudaGetLastError())

template <class T> T *device_array(size_t N) {
  T *Device;
  CUDA_CHECK(cudaMalloc(&Device, N * sizeof(T)));
  return Device;
}

template <class T> T *upload(const std::vector<T> &Host) {
  T *Device;
  CUDA_CHECK(cudaMalloc(&Device, Host.size() * sizeof(T)));
  CUDA_CHECK(cudaMemcpy(Device, Host.data(), Host.size() * sizeof(T),
                        cudaMemcpyHostToDevice));
  return Device;
}

template <class T> std::vector<T> download(const T *Device, size_t N) {
  std::vector<T> Host(N);
  CUDA_CHECK(
      cudaMemcpy(Host.data(), Device, N * sizeof(T), cudaMemcpyDeviceToHost));
  return Host;
}

/// Checks per-thread derivatives of a function whose lanes exchange values:
/// \p Warp(x, y) computes a warp's 32 outputs from its 32 inputs on the
/// host. Each thread's reverse-mode result (\p Rev in double, \p RevF in
/// float) must be the adjoint of its input summed over the warp's outputs,
/// sum_t dy_t/dx_s, and its forward-mode result along V (\p Fwd, \p FwdF)
/// sum_s dy_t/dx_s v_s, against central differences of Warp (relative 1e-6
/// for double, 2e-3 for float).
template <class WarpFn>
void check_warp_derivatives(WarpFn Warp, const std::vector<double> &X,
                            const std::vector<double> &V,
                            const std::vector<double> &Rev,
                            const std::vector<double> &Fwd,
                            const std::vector<float> &RevF,
                            const std::vector<float> &FwdF) {
  constexpr int Lanes = 32;
  for (size_t First = 0; First + Lanes <= X.size(); First += Lanes) {
    double J[Lanes][Lanes], XP[Lanes], YP[Lanes], YM[Lanes];
    for (int S = 0; S < Lanes; ++S) {
      double H = 1e-6 * (1 + std::fabs(X[First + S]));
      for (int T = 0; T < Lanes; ++T)
        XP[T] = X[First + T];
      XP[S] += H;
      Warp(XP, YP);
      XP[S] -= 2 * H;
      Warp(XP, YM);
      for (int T = 0; T < Lanes; ++T)
        J[T][S] = (YP[T] - YM[T]) / (2 * H);
    }
    for (int S = 0; S < Lanes; ++S) {
      double Adjoint = 0, Tangent = 0;
      for (int T = 0; T < Lanes; ++T) {
        Adjoint += J[T][S];
        Tangent += J[S][T] * V[First + T];
      }
      size_t I = First + S;
      CHECK_NEAR(Rev[I], Adjoint, 1e-6);
      CHECK_NEAR(Fwd[I], Tangent, 1e-6);
      CHECK_NEAR(RevF[I], Adjoint, 2e-3);
      CHECK_NEAR(FwdF[I], Tangent, 2e-3);
    }
  }
}

static int finish(const char *Name) {
  if (Failures) {
    fprintf(stderr, "%s: %d checks failed\n", Name, Failures);
    return 1;
  }
  printf("%s: PASS\n", Name);
  return 0;
}

#endif
