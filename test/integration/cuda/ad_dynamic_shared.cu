// Derivatives of code that shares data through dynamic (`extern`) shared
// memory. Its shadows follow the primal's bytes in the launch's dynamic
// shared memory, so a kernel calling the builtins launches with twice the
// bytes (N + 1 times in vector mode of width N), and fluxion::cuda::gradient
// and tangent double what the primal asks for on their own.
//   block_sum: a tree reduction of v^2 over the block in `extern __shared__`
//     bytes used as T[]; every thread returns the total, so each thread's
//     reverse-mode result is blockDim * 2 v_i and its forward-mode result
//     along w is sum_j 2 v_j w_j; float and double, and vector forward mode
//     of width 2 (along w and along 1).
//   smooth: a whole kernel (fluxion::cuda::gradient / tangent) that loads a
//     tile with halos into dynamic shared memory and writes
//     y = sin(3-point stencil); reverse mode with y's adjoint seeded to u
//     and forward mode along t, both checked against central finite
//     differences of the kernel computed on the host; launched with the
//     tile's bytes, 4 bytes more, and 30 KiB (doubled past 48 KiB).
// Tolerances: relative 1e-12 (closed forms, double), 1e-5 (float), 1e-7
// (finite differences).
#include "builtins.cuh"
#include "check.cuh"

#include <fluxion/cuda.cuh>
#include <vector>

struct Two {
  double d[2];
};
extern "C" __device__ Two __enzyme_fwddiff2(void *,
                                            ...) __asm__("__enzyme_fwddiff");

constexpr int Block = 64;

template <class T> __device__ T block_sum(T v) {
  extern __shared__ unsigned char bytes[];
  T *buf = reinterpret_cast<T *>(bytes);
  int t = threadIdx.x;
  buf[t] = v * v;
  __syncthreads();
  for (int s = blockDim.x / 2; s > 0; s >>= 1) {
    if (t < s)
      buf[t] += buf[t + s];
    __syncthreads();
  }
  T total = buf[0];
  __syncthreads();
  return total;
}

template <class T>
__global__ void reductions(const double *v, const double *w, T *rev, T *fwd) {
  int i = threadIdx.x;
  rev[i] = T(__enzyme_autodiff_f((void *)block_sum<T>, T(v[i])));
  fwd[i] = T(__enzyme_fwddiff_f((void *)block_sum<T>, T(v[i]), T(w[i])));
}
template <>
__global__ void reductions(const double *v, const double *w, double *rev,
                           double *fwd) {
  int i = threadIdx.x;
  rev[i] = __enzyme_autodiff((void *)block_sum<double>, v[i]);
  fwd[i] = __enzyme_fwddiff((void *)block_sum<double>, v[i], w[i]);
}

__global__ void two_directions(const double *v, const double *w, double *fwd) {
  int i = threadIdx.x;
  Two d = __enzyme_fwddiff2((void *)block_sum<double>, enzyme_width, 2, v[i],
                            w[i], 1.0);
  fwd[2 * i] = d.d[0];
  fwd[2 * i + 1] = d.d[1];
}

__global__ void smooth(const double *x, double *y, int n) {
  extern __shared__ double tile[];
  int t = threadIdx.x, g = blockIdx.x * blockDim.x + t;
  tile[t + 1] = x[g];
  if (t == 0)
    tile[0] = g > 0 ? x[g - 1] : 0.0;
  if (t == blockDim.x - 1)
    tile[blockDim.x + 1] = g + 1 < n ? x[g + 1] : 0.0;
  __syncthreads();
  y[g] = sin(0.25 * tile[t] + 0.5 * tile[t + 1] + 0.25 * tile[t + 2]);
}

static void smooth_host(const std::vector<double> &x, std::vector<double> &y) {
  int n = int(x.size());
  for (int g = 0; g < n; ++g) {
    double left = g % Block == 0 ? (g > 0 ? x[g - 1] : 0.0) : x[g - 1];
    double right =
        g % Block == Block - 1 ? (g + 1 < n ? x[g + 1] : 0.0) : x[g + 1];
    y[g] = std::sin(0.25 * left + 0.5 * x[g] + 0.25 * right);
  }
}

template <class T>
void check_block_sum(const std::vector<double> &hv,
                     const std::vector<double> &hw, double tol) {
  double tangent = 0;
  for (int i = 0; i < Block; ++i)
    tangent += 2 * T(hv[i]) * T(hw[i]);
  double *v = upload(hv), *w = upload(hw);
  T *rev, *fwd;
  CUDA_CHECK(cudaMalloc(&rev, Block * sizeof(T)));
  CUDA_CHECK(cudaMalloc(&fwd, Block * sizeof(T)));
  reductions<T><<<1, Block, 2 * Block * sizeof(T)>>>(v, w, rev, fwd);
  LAUNCH_CHECK();
  std::vector<T> hrev = download(rev, Block), hfwd = download(fwd, Block);
  for (int i = 0; i < Block; ++i) {
    CHECK_NEAR(hrev[i], Block * 2 * T(hv[i]), tol);
    CHECK_NEAR(hfwd[i], tangent, tol);
  }
}

void check_two_directions(const std::vector<double> &hv,
                          const std::vector<double> &hw) {
  double along_w = 0, along_one = 0;
  for (int i = 0; i < Block; ++i) {
    along_w += 2 * hv[i] * hw[i];
    along_one += 2 * hv[i];
  }
  double *v = upload(hv), *w = upload(hw), *fwd;
  CUDA_CHECK(cudaMalloc(&fwd, 2 * Block * sizeof(double)));
  two_directions<<<1, Block, 3 * Block * sizeof(double)>>>(v, w, fwd);
  LAUNCH_CHECK();
  std::vector<double> hfwd = download(fwd, 2 * Block);
  for (int i = 0; i < Block; ++i) {
    CHECK_NEAR(hfwd[2 * i], along_w, 1e-12);
    CHECK_NEAR(hfwd[2 * i + 1], along_one, 1e-12);
  }
}

void check_smooth(size_t bytes) {
  using namespace fluxion::cuda;
  const int n = 3 * Block;
  std::vector<double> hx(n), hu(n), ht(n), zero(n, 0.0);
  for (int g = 0; g < n; ++g) {
    hx[g] = std::sin(0.11 * g) + 0.3;
    hu[g] = std::cos(0.05 * g);
    ht[g] = 0.5 - std::sin(0.2 * g);
  }
  double *x = upload(hx), *y = upload(zero), *dx = upload(zero);
  double *dy = upload(hu);
  CUDA_CHECK(gradient<smooth>(dim3(n / Block), dim3(Block), bytes, 0,
                              dup((const double *)x, dx), dup(y, dy),
                              constant(n)));
  std::vector<double> hdx = download(dx, n), hy = download(y, n);
  double *tx = upload(ht), *ty = upload(zero);
  CUDA_CHECK(tangent<smooth>(dim3(n / Block), dim3(Block), bytes, 0,
                             dup((const double *)x, tx), dup(y, ty),
                             constant(n)));
  std::vector<double> hty = download(ty, n);

  std::vector<double> want_y(n), yp(n), ym(n);
  smooth_host(hx, want_y);
  const double h = 1e-6;
  for (int g = 0; g < n; ++g) {
    CHECK_NEAR(hy[g], want_y[g], 1e-12);
    std::vector<double> xp = hx, xm = hx;
    xp[g] += h;
    xm[g] -= h;
    smooth_host(xp, yp);
    smooth_host(xm, ym);
    double adjoint = 0;
    for (int k = 0; k < n; ++k)
      adjoint += hu[k] * (yp[k] - ym[k]) / (2 * h);
    CHECK_NEAR(hdx[g], adjoint, 1e-7);
  }
  std::vector<double> xp = hx, xm = hx;
  for (int g = 0; g < n; ++g) {
    xp[g] += h * ht[g];
    xm[g] -= h * ht[g];
  }
  smooth_host(xp, yp);
  smooth_host(xm, ym);
  for (int g = 0; g < n; ++g)
    CHECK_NEAR(hty[g], (yp[g] - ym[g]) / (2 * h), 1e-7);
}

int main() {
  std::vector<double> hv(Block), hw(Block);
  for (int i = 0; i < Block; ++i) {
    hv[i] = float(0.05 * i - 1.2);
    hw[i] = float(std::cos(0.4 * i));
  }
  check_block_sum<double>(hv, hw, 1e-12);
  check_block_sum<float>(hv, hw, 1e-5);
  check_two_directions(hv, hw);
  // The tile's bytes; 4 more (the shadow must stay aligned); 30 KiB, which
  // doubled needs the opt-in above 48 KiB.
  check_smooth((Block + 2) * sizeof(double));
  check_smooth((Block + 2) * sizeof(double) + 4);
  check_smooth(30 << 10);
  return finish("ad_dynamic_shared");
}
