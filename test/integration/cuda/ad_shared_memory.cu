// Per-thread derivatives of __device__ functions that share data through
// static __shared__ arrays and __syncthreads(): the arrays get shadow
// __shared__ arrays (zeroed where the primal writes, in step with the
// primal's barriers), adjoints added to them are atomic, and barriers are
// mirrored in the reverse sweep.
//   block_sum: a tree reduction of v^2 over the block; every thread returns
//     the total, so each thread's reverse-mode result is 64 * 2 v_i (the
//     sum over all threads' outputs) and its forward-mode result along w is
//     sum_j 2 v_j w_j; float and double.
//   smooth: a 3-point stencil over a tile loaded with halos, output
//     sin(stencil); reverse mode into a duplicated input array (adjoints of
//     elements read by several threads add up), checked against central
//     finite differences of the block computed on the host.
#include "check.cuh"

#include <vector>

extern "C" __device__ double __enzyme_autodiff(void *, ...);
extern "C" __device__ double __enzyme_fwddiff(void *, ...);
extern "C" __device__ float __enzyme_autodiff_f(void *, ...)
    __asm__("__enzyme_autodiff");
extern "C" __device__ float __enzyme_fwddiff_f(void *, ...)
    __asm__("__enzyme_fwddiff");
extern "C" __device__ int enzyme_const;

constexpr int Block = 64;

template <class T> __device__ T block_sum(T v) {
  __shared__ T buf[Block];
  int t = threadIdx.x;
  buf[t] = v * v;
  __syncthreads();
  for (int s = Block / 2; s > 0; s >>= 1) {
    if (t < s)
      buf[t] += buf[t + s];
    __syncthreads();
  }
  T total = buf[0];
  __syncthreads();
  return total;
}

__device__ double smooth(const double *x, int n) {
  __shared__ double tile[Block + 2];
  int t = threadIdx.x, g = blockIdx.x * Block + t;
  tile[t + 1] = x[g];
  if (t == 0)
    tile[0] = g > 0 ? x[g - 1] : 0.0;
  if (t == Block - 1)
    tile[Block + 1] = g + 1 < n ? x[g + 1] : 0.0;
  __syncthreads();
  double out = 0.25 * tile[t] + 0.5 * tile[t + 1] + 0.25 * tile[t + 2];
  __syncthreads();
  return sin(out);
}

__global__ void reductions(const double *v, const double *w, double *rev,
                           double *fwd, float *revf, float *fwdf) {
  int i = threadIdx.x;
  rev[i] = __enzyme_autodiff((void *)block_sum<double>, v[i]);
  fwd[i] = __enzyme_fwddiff((void *)block_sum<double>, v[i], w[i]);
  revf[i] = __enzyme_autodiff_f((void *)block_sum<float>, (float)v[i]);
  fwdf[i] = __enzyme_fwddiff_f((void *)block_sum<float>, (float)v[i],
                               (float)w[i]);
}

__global__ void stencil(const double *x, double *dx, int n) {
  __enzyme_autodiff((void *)smooth, x, dx, enzyme_const, n);
}

// Sum over all threads of sin(stencil), as the blocks compute it.
static double smooth_host(const std::vector<double> &x) {
  int n = int(x.size());
  double total = 0;
  for (int g = 0; g < n; ++g) {
    double left = g % Block == 0 ? (g > 0 ? x[g - 1] : 0.0) : x[g - 1];
    double right =
        g % Block == Block - 1 ? (g + 1 < n ? x[g + 1] : 0.0) : x[g + 1];
    total += std::sin(0.25 * left + 0.5 * x[g] + 0.25 * right);
  }
  return total;
}

int main() {
  std::vector<double> hv(Block), hw(Block), hrev(Block), hfwd(Block);
  std::vector<float> hrevf(Block), hfwdf(Block);
  double tangent = 0;
  for (int i = 0; i < Block; ++i) {
    hv[i] = float(0.05 * i - 1.2);
    hw[i] = float(std::cos(0.4 * i));
    tangent += 2 * hv[i] * hw[i];
  }
  double *v, *w, *rev, *fwd;
  float *revf, *fwdf;
  CUDA_CHECK(cudaMalloc(&v, Block * sizeof(double)));
  CUDA_CHECK(cudaMalloc(&w, Block * sizeof(double)));
  CUDA_CHECK(cudaMalloc(&rev, Block * sizeof(double)));
  CUDA_CHECK(cudaMalloc(&fwd, Block * sizeof(double)));
  CUDA_CHECK(cudaMalloc(&revf, Block * sizeof(float)));
  CUDA_CHECK(cudaMalloc(&fwdf, Block * sizeof(float)));
  CUDA_CHECK(cudaMemcpy(v, hv.data(), Block * sizeof(double), cudaMemcpyHostToDevice));
  CUDA_CHECK(cudaMemcpy(w, hw.data(), Block * sizeof(double), cudaMemcpyHostToDevice));
  reductions<<<1, Block>>>(v, w, rev, fwd, revf, fwdf);
  LAUNCH_CHECK();
  CUDA_CHECK(cudaMemcpy(hrev.data(), rev, Block * sizeof(double), cudaMemcpyDeviceToHost));
  CUDA_CHECK(cudaMemcpy(hfwd.data(), fwd, Block * sizeof(double), cudaMemcpyDeviceToHost));
  CUDA_CHECK(cudaMemcpy(hrevf.data(), revf, Block * sizeof(float), cudaMemcpyDeviceToHost));
  CUDA_CHECK(cudaMemcpy(hfwdf.data(), fwdf, Block * sizeof(float), cudaMemcpyDeviceToHost));
  for (int i = 0; i < Block; ++i) {
    CHECK_NEAR(hrev[i], Block * 2 * hv[i], 1e-12);
    CHECK_NEAR(hfwd[i], tangent, 1e-12);
    CHECK_NEAR(hrevf[i], Block * 2 * hv[i], 1e-5);
    CHECK_NEAR(hfwdf[i], tangent, 1e-5);
  }

  const int n = 3 * Block;
  std::vector<double> hx(n), hdx(n);
  for (int g = 0; g < n; ++g)
    hx[g] = std::sin(0.11 * g) + 0.3;
  double *x, *dx;
  CUDA_CHECK(cudaMalloc(&x, n * sizeof(double)));
  CUDA_CHECK(cudaMalloc(&dx, n * sizeof(double)));
  CUDA_CHECK(cudaMemcpy(x, hx.data(), n * sizeof(double), cudaMemcpyHostToDevice));
  CUDA_CHECK(cudaMemset(dx, 0, n * sizeof(double)));
  stencil<<<n / Block, Block>>>(x, dx, n);
  LAUNCH_CHECK();
  CUDA_CHECK(cudaMemcpy(hdx.data(), dx, n * sizeof(double), cudaMemcpyDeviceToHost));
  for (int g = 0; g < n; ++g) {
    std::vector<double> xp = hx, xm = hx;
    double h = 1e-6;
    xp[g] += h;
    xm[g] -= h;
    CHECK_NEAR(hdx[g], (smooth_host(xp) - smooth_host(xm)) / (2 * h), 1e-7);
  }
  return finish("ad_shared_memory");
}
