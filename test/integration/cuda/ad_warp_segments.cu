// Per-thread derivatives of __device__ functions whose shuffles work on parts
// of a warp or read lanes computed at run time: `down` reductions and
// broadcasts within 8-lane segments (`__shfl_*_sync(mask, v, k, 8)`), an
// `up` shift and a butterfly within 16-lane segments, a gather from a lane
// each thread computes, a broadcast from a lane the whole warp computes, the
// tile reductions of cooperative groups (`cg::reduce` over
// `tiled_partition<16>` and `<4>`, whose masks are known at run time), and
// shuffles by part of the warp under a branch: constant masks of whole
// segments and of part of one, and masks from a ballot. Lane t's output y_t
// depends on other lanes' inputs, so each thread's reverse-mode result is sum_t
// dy_t/dx_s and its forward-mode result along v is sum_s dy_t/dx_s v_s; both
// are checked against central finite differences of the warp computed on the
// host with PTX's shuffle rules (check_warp_derivatives: relative 1e-6 for
// double, 2e-3 for float).
#include "builtins.cuh"
#include "check.cuh"

#include <cooperative_groups.h>
#include <cooperative_groups/reduce.h>
#include <vector>

namespace cg = cooperative_groups;

constexpr unsigned Full = 0xffffffffu;
constexpr int Warp = 32;

// The lane each thread gathers from, and the lane the warp broadcasts from:
// computed at run time from the thread and an argument.
__host__ __device__ int gather_lane(int lane, int k) {
  return (lane * 7 + k) % Warp;
}
__host__ __device__ int leader_lane(int k) { return (k * 5 + 3) % Warp; }

template <class T> __device__ T segments(T x, int k) {
  T v = x * x;
  for (int d = 4; d > 0; d /= 2)
    v += __shfl_down_sync(Full, v, d, 8);
  T lead = __shfl_sync(Full, v, 2, 8);
  T up = __shfl_up_sync(Full, x, 2, 16);
  T mixed = __shfl_xor_sync(Full, x * up, 5, 16);
  int lane = threadIdx.x % Warp;
  T gathered = __shfl_sync(Full, sin(x), gather_lane(lane, k));
  T leader = __shfl_sync(Full, x * x * x, leader_lane(k));
  return lead * x + mixed + gathered * x + T(0.5) * leader + T(0.1) * v;
}

template <class T> __device__ T tiles(T x) {
  auto warp = cg::tiled_partition<32>(cg::this_thread_block());
  auto half = cg::tiled_partition<16>(warp);
  auto quad = cg::tiled_partition<4>(warp);
  T sum16 = cg::reduce(half, x * x, cg::plus<T>());
  T sum4 = cg::reduce(quad, sin(x), cg::plus<T>());
  return sum16 * x + sum4 * sum4;
}

// Shuffles run by some lanes only, each reading only lanes that take part.
template <class T> __device__ T masked(T x) {
  unsigned lane = threadIdx.x % Warp;
  unsigned below24 = __ballot_sync(Full, lane < 24);
  unsigned below16 = __ballot_sync(Full, lane < 16);
  T y = 0;
  if (lane >= 16)
    y += __shfl_down_sync(0xffff0000u, x * x, 1, 16);
  if (lane < 4)
    y += __shfl_sync(0xfu, sin(x), 0);
  if (lane < 24)
    y += __shfl_xor_sync(below24, x * x * x, 1);
  if (lane < 16)
    y += __shfl_down_sync(below16, cos(x), 2, 16);
  return y * x;
}

template <class T> __device__ T both(T x, int k) {
  return segments(x, k) + tiles(x) + masked(x);
}

__global__ void derivatives(const double *x, const double *v, int k,
                            double *rev, double *fwd, float *revf,
                            float *fwdf) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  rev[i] = __enzyme_autodiff((void *)both<double>, x[i], enzyme_const, k);
  fwd[i] = __enzyme_fwddiff((void *)both<double>, x[i], v[i], enzyme_const, k);
  revf[i] =
      __enzyme_autodiff_f((void *)both<float>, (float)x[i], enzyme_const, k);
  fwdf[i] = __enzyme_fwddiff_f((void *)both<float>, (float)x[i], (float)v[i],
                               enzyme_const, k);
}

// PTX shfl.sync on the host: the lane t reads for the given mode, offset
// and width.
enum Mode { Up, Down, Bfly, Idx };
static int source(Mode m, int t, int b, int width) {
  int first = t / width * width, last = first + width - 1, j;
  switch (m) {
  case Up:
    j = t - b;
    return j >= first ? j : t;
  case Down:
    j = t + b;
    return j <= last ? j : t;
  case Bfly:
    j = t ^ b;
    return j <= last ? j : t;
  case Idx:
    return first + b % width;
  }
  return t;
}

static void shfl(Mode m, const double *in, int b, int width, double *out) {
  for (int t = 0; t < Warp; ++t)
    out[t] = in[source(m, t, b, width)];
}

// The sum over each aligned tile of `width` lanes, in every lane of it.
static void tile_sum(const double *in, int width, double *out) {
  for (int t = 0; t < Warp; ++t) {
    out[t] = 0;
    for (int s = t / width * width; s < t / width * width + width; ++s)
      out[t] += in[s];
  }
}

// The warp's outputs from its inputs.
static void warp_host(const double *x, int k, double *y) {
  double v[Warp], tmp[Warp], lead[Warp], up[Warp], prod[Warp], mixed[Warp];
  double sq[Warp], s[Warp], sum16[Warp], sum4[Warp];
  for (int t = 0; t < Warp; ++t)
    v[t] = x[t] * x[t];
  for (int d = 4; d > 0; d /= 2) {
    shfl(Down, v, d, 8, tmp);
    for (int t = 0; t < Warp; ++t)
      v[t] += tmp[t];
  }
  shfl(Idx, v, 2, 8, lead);
  shfl(Up, x, 2, 16, up);
  for (int t = 0; t < Warp; ++t)
    prod[t] = x[t] * up[t];
  shfl(Bfly, prod, 5, 16, mixed);
  for (int t = 0; t < Warp; ++t) {
    sq[t] = x[t] * x[t];
    s[t] = std::sin(x[t]);
  }
  tile_sum(sq, 16, sum16);
  tile_sum(s, 4, sum4);
  int leader = leader_lane(k);
  for (int t = 0; t < Warp; ++t) {
    double gathered = std::sin(x[gather_lane(t, k)]);
    double lead3 = x[leader] * x[leader] * x[leader];
    y[t] = lead[t] * x[t] + mixed[t] + gathered * x[t] + 0.5 * lead3 +
           0.1 * v[t] + sum16[t] * x[t] + sum4[t] * sum4[t];
  }
  for (int t = 0; t < Warp; ++t) {
    double m = 0;
    if (t >= 16) {
      int from = source(Down, t, 1, 16);
      m += x[from] * x[from];
    }
    if (t < 4)
      m += std::sin(x[0]);
    if (t < 24)
      m += x[t ^ 1] * x[t ^ 1] * x[t ^ 1];
    if (t < 16)
      m += std::cos(x[source(Down, t, 2, 16)]);
    y[t] += m * x[t];
  }
}

int main() {
  const int n = 2 * Warp, k = 4;
  std::vector<double> hx(n), hv(n);
  for (int i = 0; i < n; ++i) {
    hx[i] = float(0.3 * std::sin(0.7 * i) + 0.02 * i);
    hv[i] = float(std::cos(0.3 * i));
  }
  double *x = upload(hx), *v = upload(hv);
  double *rev = device_array<double>(n), *fwd = device_array<double>(n);
  float *revf = device_array<float>(n), *fwdf = device_array<float>(n);
  derivatives<<<1, n>>>(x, v, k, rev, fwd, revf, fwdf);
  LAUNCH_CHECK();
  check_warp_derivatives(
      [](const double *in, double *out) { warp_host(in, k, out); }, hx, hv,
      download(rev, n), download(fwd, n), download(revf, n), download(fwdf, n));
  return finish("ad_warp_segments");
}
