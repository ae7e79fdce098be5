// Per-thread derivatives of a __device__ function that exchanges values
// between the lanes of a warp with every kind of shuffle: a `down`
// reduction, a broadcast from lane 0, an `up` shift and a butterfly (xor)
// exchange, in float (shfl.sync.*.f32) and double (two 32-bit shuffles
// that Fluxion fuses back into one). Lane t's output y_t depends on other
// lanes' inputs, so each thread's reverse-mode result is the adjoint of its
// input summed over all lanes' outputs, sum_t dy_t/dx_s, and each thread's
// forward-mode result along v is sum_s dy_t/dx_s v_s. Both are checked
// against central finite differences of the warp computed on the host with
// the shuffles' semantics (relative 1e-6 for double, 2e-3 for float). A
// double shuffle whose value only lane 0 uses is checked against its closed
// form (relative 1e-12).
#include "builtins.cuh"
#include "check.cuh"

#include <vector>

constexpr unsigned Full = 0xffffffffu;
constexpr int Warp = 32;

template <class T> __device__ T warp_fn(T x) {
  T v = x * x + sin(x);
  for (int d = 16; d > 0; d /= 2)
    v += __shfl_down_sync(Full, v, d);
  T total = __shfl_sync(Full, v, 0);
  T below = __shfl_up_sync(Full, x, 1);
  T mixed = __shfl_xor_sync(Full, x * below, 3);
  return total * x + mixed + T(0.01) * v;
}

// Only lane 0 uses the exchanged value: the optimizer sinks the joining of
// a double's halves into that branch, but every lane must still shuffle.
__device__ double paired_log(double x) {
  double pair = x + __shfl_xor_sync(Full, x, 1);
  return threadIdx.x % Warp == 0 ? log(pair) : 0.0;
}

__global__ void paired(const double *x, const double *v, double *rev,
                       double *fwd) {
  int i = threadIdx.x;
  rev[i] = __enzyme_autodiff((void *)paired_log, x[i]);
  fwd[i] = __enzyme_fwddiff((void *)paired_log, x[i], v[i]);
}

__global__ void derivatives(const double *x, const double *v, double *rev,
                            double *fwd, float *revf, float *fwdf) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  rev[i] = __enzyme_autodiff((void *)warp_fn<double>, x[i]);
  fwd[i] = __enzyme_fwddiff((void *)warp_fn<double>, x[i], v[i]);
  revf[i] = __enzyme_autodiff_f((void *)warp_fn<float>, (float)x[i]);
  fwdf[i] =
      __enzyme_fwddiff_f((void *)warp_fn<float>, (float)x[i], (float)v[i]);
}

// The warp's outputs from its inputs, shuffles as the hardware does them.
static void warp_host(const double *x, double *y) {
  double v[Warp], next[Warp], below[Warp], product[Warp];
  for (int t = 0; t < Warp; ++t)
    v[t] = x[t] * x[t] + std::sin(x[t]);
  for (int d = 16; d > 0; d /= 2) {
    for (int t = 0; t < Warp; ++t)
      next[t] = v[t] + (t + d < Warp ? v[t + d] : v[t]);
    for (int t = 0; t < Warp; ++t)
      v[t] = next[t];
  }
  for (int t = 0; t < Warp; ++t)
    below[t] = t >= 1 ? x[t - 1] : x[t];
  for (int t = 0; t < Warp; ++t)
    product[t] = x[t] * below[t];
  for (int t = 0; t < Warp; ++t)
    y[t] = v[0] * x[t] + product[t ^ 3] + 0.01 * v[t];
}

int main() {
  const int n = 2 * Warp;
  std::vector<double> hx(n), hv(n);
  for (int i = 0; i < n; ++i) {
    hx[i] = float(0.3 * std::sin(0.7 * i) + 0.05 * i);
    hv[i] = float(std::cos(0.3 * i));
  }
  double *x = upload(hx), *v = upload(hv);
  double *rev = device_array<double>(n), *fwd = device_array<double>(n);
  float *revf = device_array<float>(n), *fwdf = device_array<float>(n);
  derivatives<<<1, n>>>(x, v, rev, fwd, revf, fwdf);
  LAUNCH_CHECK();
  check_warp_derivatives(warp_host, hx, hv, download(rev, n), download(fwd, n),
                         download(revf, n), download(fwdf, n));
  std::vector<double> hx2(n), hprev(n), hpfwd(n);
  for (int i = 0; i < n; ++i)
    hx2[i] = 1.0 + 0.1 * i;
  double *prev = device_array<double>(n), *pfwd = device_array<double>(n);
  CUDA_CHECK(
      cudaMemcpy(x, hx2.data(), n * sizeof(double), cudaMemcpyHostToDevice));
  paired<<<1, n>>>(x, v, prev, pfwd);
  LAUNCH_CHECK();
  CUDA_CHECK(cudaMemcpy(hprev.data(), prev, n * sizeof(double),
                        cudaMemcpyDeviceToHost));
  CUDA_CHECK(cudaMemcpy(hpfwd.data(), pfwd, n * sizeof(double),
                        cudaMemcpyDeviceToHost));
  for (int i = 0; i < n; ++i) {
    int first = i - i % Warp;
    double pair = hx2[first] + hx2[first + 1];
    bool paired_lane = i % Warp < 2;
    CHECK_NEAR(hprev[i], paired_lane ? 1 / pair : 0.0, 1e-12);
    CHECK_NEAR(hpfwd[i], i % Warp == 0 ? (hv[i] + hv[i + 1]) / pair : 0.0,
               1e-12);
  }
  return finish("ad_warp_shuffle");
}
