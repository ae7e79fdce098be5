// Whole-kernel derivatives launched from host code with
// fluxion::cuda::gradient / tangent (include/fluxion/cuda.cuh), with the
// primal's grid, block and stream, and no kernel written for them:
//   axpy: y[i] = a sin(x[i]) + y[i], elementwise, in double and float;
//     reverse with y's adjoint seeded to w: dx[i] = a cos(x[i]) w[i] and
//     da = sum_i sin(x[i]) w[i] (an active scalar, summed over threads);
//     forward along (dx, dy_in): dy_out[i] = a cos(x[i]) dx[i] + dy_in[i].
//   block_sumsq: each block reduces x^2 over its 64 elements in a
//     __shared__ tree with __syncthreads() into partial[block]; reverse with
//     partial's adjoint w[b]: dx[i] = 2 x[i] w[b(i)]; forward: dpartial[b] =
//     sum 2 x[i] v[i] over the block. Its loop has a constant trip count:
//     the second gradient launch reuses the tape size the first one found.
//   total: a grid-stride loop adding exp(x[i]) / n into one total with
//     atomicAdd; reverse: dx[i] = exp(x[i]) / n times the total's adjoint.
//   iterate: a grid-stride loop around a per-thread loop of m steps
//     a <- sin(a) x[i] from a = x[i], y[i] = a; the reverse sweep reads
//     every step's a back from the tape. Reverse with y's adjoint w:
//     dx[i] = w[i] da_m/dx by the recurrence d <- cos(a) d x + sin(a) from
//     d = 1. Launched once with a few threads striding over the elements
//     and once with 65536 threads whose tapes together (tens of MiB) would
//     not fit a GPU's 8 MiB malloc heap: they come from the per-launch tape
//     arena. The arena bytes a thread needs (__ad_tape_bytes) hold m
//     doubles at least and grow with m. fixed_steps: the same steps, 40 of
//     them, one element per thread; its tape is the same for every launch,
//     so the second launch reuses the size the first one found.
// Checked against the closed forms (relative 1e-12 for double, 1e-5 for
// float).
#include "check.cuh"

#include <fluxion/cuda.cuh>
#include <vector>

using namespace fluxion::cuda;

template <class T> __global__ void axpy(T a, const T *x, T *y, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    y[i] = a * sin(x[i]) + y[i];
}

constexpr int Block = 64;

__global__ void block_sumsq(const double *x, double *partial) {
  __shared__ double buf[Block];
  int t = threadIdx.x, i = blockIdx.x * Block + t;
  buf[t] = x[i] * x[i];
  __syncthreads();
  for (int s = Block / 2; s > 0; s >>= 1) {
    if (t < s)
      buf[t] += buf[t + s];
    __syncthreads();
  }
  if (t == 0)
    partial[blockIdx.x] = buf[0];
}

__global__ void total(const double *x, double *sum, int n) {
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n;
       i += gridDim.x * blockDim.x)
    atomicAdd(sum, exp(x[i]) / n);
}

__global__ void iterate(const double *x, double *y, int n, int m) {
  for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n;
       i += gridDim.x * blockDim.x) {
    double a = x[i];
    for (int k = 0; k < m; ++k)
      a = sin(a) * x[i];
    y[i] = a;
  }
}

// iterate's per-thread loop with a constant trip count, one element per
// thread: its tape is the same for every launch.
template <int M>
__global__ void fixed_steps(const double *x, double *y, int n, int) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) {
    double a = x[i];
    for (int k = 0; k < M; ++k)
      a = sin(a) * x[i];
    y[i] = a;
  }
}

extern "C" __device__ unsigned long long __ad_tape_bytes(void *, ...);
extern "C" __device__ int enzyme_dup, enzyme_const;

__global__ void tape_sizes(unsigned long long *bytes, const double *x,
                           double *dx, double *y, double *dy, int n, int m) {
  for (int k = 0; k < 2 && blockIdx.x + threadIdx.x == 0; ++k)
    bytes[k] =
        __ad_tape_bytes((void *)iterate, enzyme_dup, x, dx, enzyme_dup, y, dy,
                        enzyme_const, n, enzyme_const, (k + 1) * m);
}

template <class T> void check_axpy(double tol) {
  const int n = 200;
  const T a = T(1.7);
  std::vector<T> hx(n), hy(n), hw(n), hv(n), zero(n, T(0));
  for (int i = 0; i < n; ++i) {
    hx[i] = T(0.03 * i - 2.0);
    hy[i] = T(0.5);
    hw[i] = T(std::cos(0.2 * i));
    hv[i] = T(std::sin(0.3 * i));
  }
  T *x = upload(hx), *y = upload(hy), *dx = upload(zero), *dy = upload(hw);
  T *da = upload(std::vector<T>(1, T(0)));
  dim3 grid((n + 63) / 64), block(64);
  CUDA_CHECK(gradient<axpy<T>>(grid, block, 0, 0, active(a, da),
                               dup((const T *)x, dx), dup(y, dy), constant(n)));
  std::vector<T> gx = download(dx, n), gy = download(y, n);
  double want_da = 0;
  for (int i = 0; i < n; ++i) {
    want_da += std::sin(double(hx[i])) * hw[i];
    CHECK_NEAR(gx[i], a * std::cos(double(hx[i])) * hw[i], tol);
    CHECK_NEAR(gy[i], a * std::sin(double(hx[i])) + hy[i], tol);
  }
  CHECK_NEAR(download(da, 1)[0], want_da, tol);

  T *y2 = upload(hy), *tx = upload(hv), *ty = upload(hw);
  CUDA_CHECK(tangent<axpy<T>>(grid, block, 0, 0, constant(a),
                              dup((const T *)x, tx), dup(y2, ty), constant(n)));
  std::vector<T> out = download(ty, n);
  for (int i = 0; i < n; ++i)
    CHECK_NEAR(out[i], a * std::cos(double(hx[i])) * hv[i] + hw[i], tol);
}

void check_reduction() {
  const int blocks = 3, n = blocks * Block;
  std::vector<double> hx(n), hv(n), hw(blocks), zero(n, 0.0);
  for (int i = 0; i < n; ++i) {
    hx[i] = std::sin(0.7 * i);
    hv[i] = std::cos(0.4 * i);
  }
  for (int b = 0; b < blocks; ++b)
    hw[b] = 1.0 + b;
  double *x = upload(hx), *dx = upload(zero);
  double *partial = upload(std::vector<double>(blocks)), *dpartial = upload(hw);
  CUDA_CHECK(gradient<block_sumsq>(dim3(blocks), dim3(Block), 0, 0,
                                   dup((const double *)x, dx),
                                   dup(partial, dpartial)));
  std::vector<double> gx = download(dx, n), sums = download(partial, blocks);
  for (int i = 0; i < n; ++i)
    CHECK_NEAR(gx[i], 2 * hx[i] * hw[i / Block], 1e-12);
  double *tx = upload(hv), *tpartial = upload(std::vector<double>(blocks));
  CUDA_CHECK(tangent<block_sumsq>(dim3(blocks), dim3(Block), 0, 0,
                                  dup((const double *)x, tx),
                                  dup(partial, tpartial)));
  std::vector<double> tp = download(tpartial, blocks);
  for (int b = 0; b < blocks; ++b) {
    double want = 0, sum = 0;
    for (int i = b * Block; i < (b + 1) * Block; ++i) {
      want += 2 * hx[i] * hv[i];
      sum += hx[i] * hx[i];
    }
    CHECK_NEAR(tp[b], want, 1e-12);
    CHECK_NEAR(sums[b], sum, 1e-12);
  }
}

void check_total() {
  const int n = 1000;
  std::vector<double> hx(n), zero(n, 0.0);
  for (int i = 0; i < n; ++i)
    hx[i] = 0.002 * i - 1.0;
  double *x = upload(hx), *dx = upload(zero);
  double *sum = upload(std::vector<double>(1, 0.0));
  double *dsum = upload(std::vector<double>(1, 2.5));
  CUDA_CHECK(gradient<total>(dim3(4), dim3(64), 0, 0,
                             dup((const double *)x, dx), dup(sum, dsum),
                             constant(n)));
  std::vector<double> gx = download(dx, n);
  for (int i = 0; i < n; ++i)
    CHECK_NEAR(gx[i], 2.5 * std::exp(hx[i]) / n, 1e-12);
}

template <auto Kernel> void check_steps(int blocks, int threads, int n, int m) {
  std::vector<double> hx(n), hw(n), zero(n, 0.0);
  for (int i = 0; i < n; ++i) {
    hx[i] = 0.4 + 0.5 * std::sin(0.37 * i);
    hw[i] = std::cos(0.11 * i);
  }
  double *x = upload(hx), *y = upload(zero), *dx = upload(zero);
  double *dy = upload(hw);
  CUDA_CHECK(gradient<Kernel>(dim3(blocks), dim3(threads), 0, 0,
                              dup((const double *)x, dx), dup(y, dy),
                              constant(n), constant(m)));
  std::vector<double> gx = download(dx, n), gy = download(y, n);
  for (int i = 0; i < n; ++i) {
    double a = hx[i], d = 1;
    for (int k = 0; k < m; ++k) {
      d = std::cos(a) * d * hx[i] + std::sin(a);
      a = std::sin(a) * hx[i];
    }
    CHECK_NEAR(gy[i], a, 1e-12);
    CHECK_NEAR(gx[i], hw[i] * d, 1e-12);
  }
}

void check_tape_sizes(int blocks, int threads, int n, int m) {
  std::vector<double> zero(n, 0.0);
  double *x = upload(zero), *dx = upload(zero), *y = upload(zero);
  double *dy = upload(zero);
  unsigned long long *bytes;
  CUDA_CHECK(cudaMalloc(&bytes, 2 * sizeof(unsigned long long)));
  tape_sizes<<<blocks, threads>>>(bytes, x, dx, y, dy, n, m);
  LAUNCH_CHECK();
  std::vector<unsigned long long> sizes = download(bytes, 2);
  CHECK(sizes[0] >= m * sizeof(double));
  CHECK(sizes[1] > sizes[0]);
}

int main() {
  check_axpy<double>(1e-12);
  check_axpy<float>(1e-5);
  // The second launch takes the tape size its first launch found.
  check_reduction();
  check_reduction();
  check_total();
  check_steps<iterate>(2, 64, 1000, 12);
  check_steps<iterate>(1024, 64, 1024 * 64, 40);
  check_tape_sizes(2, 64, 1000, 12);
  check_steps<fixed_steps<40>>(4, 64, 250, 40);
  check_steps<fixed_steps<40>>(8, 64, 500, 40);
  return finish("kernel_derivatives");
}
