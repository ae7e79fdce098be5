// Adjoint kernel time over primal kernel time on the GPU, for the kernels
// of the CUDA performance targets: an elementwise map (target <= 2x), a
// 2D 5-point stencil on shared-memory tiles and a block tree reduction with
// atomicAdd (target <= 3x). The adjoints are whole-kernel derivatives from
// fluxion::cuda::gradient, launched with the primal's configuration. Each
// kernel runs Repeats times after a warm-up; the median of the per-launch
// times (CUDA events) is reported. Built by `cmake --build build --target
// bench-gpu` (it needs a GPU to mean anything; under fluxion-cuda-cpu it
// runs as a smoke test).
#include <fluxion/cuda.cuh>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

using namespace fluxion::cuda;

__global__ void elementwise(const double *x, double *y, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    y[i] = sin(x[i]) * exp(-0.5 * x[i] * x[i]) + sqrt(1.0 + x[i] * x[i]);
}

constexpr int Tile = 16;

__global__ void stencil(const double *u, double *v, int nx, int ny) {
  __shared__ double tile[Tile + 2][Tile + 2];
  int tx = threadIdx.x, ty = threadIdx.y;
  int x = blockIdx.x * Tile + tx, y = blockIdx.y * Tile + ty;
  auto at = [&](int i, int j) {
    return i >= 0 && i < nx && j >= 0 && j < ny ? u[j * nx + i] : 0.0;
  };
  tile[ty + 1][tx + 1] = at(x, y);
  if (tx == 0)
    tile[ty + 1][0] = at(x - 1, y);
  if (tx == Tile - 1)
    tile[ty + 1][Tile + 1] = at(x + 1, y);
  if (ty == 0)
    tile[0][tx + 1] = at(x, y - 1);
  if (ty == Tile - 1)
    tile[Tile + 1][tx + 1] = at(x, y + 1);
  __syncthreads();
  if (x < nx && y < ny)
    v[y * nx + x] = tile[ty + 1][tx + 1] +
                    0.1 * (tile[ty][tx + 1] + tile[ty + 2][tx + 1] +
                           tile[ty + 1][tx] + tile[ty + 1][tx + 2] -
                           4 * tile[ty + 1][tx + 1]);
}

constexpr int Block = 256;

__global__ void reduction(const double *x, double *sum, int n) {
  __shared__ double part[Block];
  int t = threadIdx.x, i = blockIdx.x * Block + t;
  part[t] = i < n ? x[i] * x[i] : 0.0;
  __syncthreads();
  for (int s = Block / 2; s > 0; s >>= 1) {
    if (t < s)
      part[t] += part[t + s];
    __syncthreads();
  }
  if (t == 0)
    atomicAdd(sum, part[0]);
}

template <class Launch> static double median_ms(Launch launch, int Repeats) {
  cudaEvent_t start, stop;
  cudaEventCreate(&start);
  cudaEventCreate(&stop);
  launch();
  cudaDeviceSynchronize();
  std::vector<float> times;
  for (int r = 0; r < Repeats; ++r) {
    cudaEventRecord(start);
    launch();
    cudaEventRecord(stop);
    cudaEventSynchronize(stop);
    float ms;
    cudaEventElapsedTime(&ms, start, stop);
    times.push_back(ms);
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

static double *device_filled(size_t n, double scale) {
  std::vector<double> host(n);
  for (size_t i = 0; i < n; ++i)
    host[i] = scale * std::sin(0.37 * double(i) + 0.1);
  double *d;
  cudaMalloc(&d, n * sizeof(double));
  cudaMemcpy(d, host.data(), n * sizeof(double), cudaMemcpyHostToDevice);
  return d;
}

static void report(const char *name, double primal, double adjoint,
                   double target) {
  printf("%-12s primal %9.4f ms  adjoint %9.4f ms  ratio %5.2fx (target <= "
         "%.0fx)\n",
         name, primal, adjoint, adjoint / primal, target);
}

int main(int argc, char **argv) {
  // Large on a GPU; a small size keeps the CPU executor's smoke run quick.
  bool small = argc > 1;
  int repeats = small ? 3 : 50;
  int n = small ? 1 << 14 : 1 << 24;
  double *x = device_filled(n, 1.0), *dx = device_filled(n, 0.0);
  double *y = device_filled(n, 0.0), *dy = device_filled(n, 1.0);
  dim3 grid((n + Block - 1) / Block), block(Block);
  double p = median_ms(
      [&] { elementwise<<<grid, block>>>(x, y, n); }, repeats);
  double a = median_ms(
      [&] {
        gradient<elementwise>(grid, block, 0, 0, dup((const double *)x, dx),
                              dup(y, dy), constant(n));
      },
      repeats);
  report("elementwise", p, a, 2);

  int nx = small ? 128 : 4096, ny = small ? 128 : 4096;
  double *u = device_filled(size_t(nx) * ny, 1.0);
  double *du = device_filled(size_t(nx) * ny, 0.0);
  double *v = device_filled(size_t(nx) * ny, 0.0);
  double *dv = device_filled(size_t(nx) * ny, 1.0);
  dim3 tiles((nx + Tile - 1) / Tile, (ny + Tile - 1) / Tile), threads(Tile, Tile);
  p = median_ms([&] { stencil<<<tiles, threads>>>(u, v, nx, ny); }, repeats);
  a = median_ms(
      [&] {
        gradient<stencil>(tiles, threads, 0, 0, dup((const double *)u, du),
                          dup(v, dv), constant(nx), constant(ny));
      },
      repeats);
  report("stencil", p, a, 3);

  double *sum = device_filled(1, 0.0), *dsum = device_filled(1, 1.0);
  p = median_ms([&] { reduction<<<grid, block>>>(x, sum, n); }, repeats);
  a = median_ms(
      [&] {
        gradient<reduction>(grid, block, 0, 0, dup((const double *)x, dx),
                            dup(sum, dsum), constant(n));
      },
      repeats);
  report("reduction", p, a, 3);
  return cudaGetLastError() == cudaSuccess ? 0 : 1;
}
