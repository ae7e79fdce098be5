// Result checking shared by the CUDA test programs. Each program compares
// what its kernels computed with the same computation done on the host in
// plain C++, and exits non-zero at the end if anything disagreed.
#ifndef FLUXION_TEST_CUDA_CHECK_CUH
#define FLUXION_TEST_CUDA_CHECK_CUH

#include <cmath>
#include <cstdio>
#include <cstdlib>

static int Failures = 0;

#define CHECK(Cond)                                                            \
  do {                                                                         \
    if (!(Cond)) {                                                             \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__,       \
              #Cond);                                                          \
      ++Failures;                                                              \
    }                                                                          \
  } while (0)

#define CHECK_NEAR(Got, Want, Tol)                                             \
  do {                                                                         \
    double G_ = (Got), W_ = (Want);                                            \
    if (!(std::fabs(G_ - W_) <= (Tol) * (1.0 + std::fabs(W_)))) {              \
      fprintf(stderr, "%s:%d: %s = %.17g, expected %.17g\n", __FILE__,        \
              __LINE__, #Got, G_, W_);                                         \
      ++Failures;                                                              \
    }                                                                          \
  } while (0)

#define CUDA_CHECK(Call)                                                       \
  do {                                                                         \
    cudaError_t E_ = (Call);                                                   \
    if (E_ != cudaSuccess) {                                                   \
      fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__, #Call,    \
              cudaGetErrorString(E_));                                         \
      exit(1);                                                                 \
    }                                                                          \
  } while (0)

// Launches report configuration errors through cudaGetLastError.
#define LAUNCH_CHECK() CUDA_CHECK(cudaGetLastError())

static int finish(const char *Name) {
  if (Failures) {
    fprintf(stderr, "%s: %d checks failed\n", Name, Failures);
    return 1;
  }
  printf("%s: PASS\n", Name);
  return 0;
}

#endif
