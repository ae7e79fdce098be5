// Reverse-mode gradient of a softmax cross-entropy loss, one row per warp
// (double).
//
// Row r of the logits z (Rows x C) belongs to one warp; each lane holds the
// columns lane, lane + 32, ... The warp finds the row maximum m and the sum
// s = sum_c exp(z[r][c] - m) with __shfl_xor_sync butterflies, and lane 0
// returns the row's share of the mean cross-entropy
//     L(z) = 1/Rows sum_r (log s_r + m_r - z[r][label_r]).
// __enzyme_autodiff of that per-thread function, with z as a duplicated
// pointer, gives dL/dz (the other lanes return 0, and every thread seeds its
// own return with 1, so the sum over threads is L). The gradient is checked
// against the closed form (softmax(z[r]) - onehot(label_r)) / Rows and
// against central finite differences of L computed on the host.
#include <cmath>
#include <cstdio>
#include <vector>

extern "C" __device__ void __enzyme_autodiff(void *, ...);
extern "C" __device__ int enzyme_dup, enzyme_const;

constexpr int C = 40; // classes: more than a warp, so some lanes hold two
constexpr int Warp = 32, WarpsPerBlock = 4;
constexpr unsigned Full = 0xffffffffu;

__device__ double row_loss(const double *z, const int *labels, int rows) {
  int lane = threadIdx.x % Warp;
  int r = (blockIdx.x * blockDim.x + threadIdx.x) / Warp;
  if (r >= rows) // the whole warp leaves together
    return 0.0;
  const double *zr = z + r * C;
  double m = -INFINITY;
  for (int c = lane; c < C; c += Warp)
    m = fmax(m, zr[c]);
  for (int d = Warp / 2; d > 0; d /= 2)
    m = fmax(m, __shfl_xor_sync(Full, m, d));
  double s = 0;
  for (int c = lane; c < C; c += Warp)
    s += exp(zr[c] - m);
  for (int d = Warp / 2; d > 0; d /= 2)
    s += __shfl_xor_sync(Full, s, d);
  double loss = log(s) + m - zr[labels[r]]; // the same in every lane
  return lane == 0 ? loss / rows : 0.0;
}

__global__ void gradient(const double *z, double *dz, const int *labels,
                         int rows) {
  __enzyme_autodiff((void *)row_loss, enzyme_dup, z, dz, enzyme_const, labels,
                    enzyme_const, rows);
}

static double loss_host(const std::vector<double> &z,
                        const std::vector<int> &labels, int rows) {
  double total = 0;
  for (int r = 0; r < rows; ++r) {
    double m = -INFINITY, s = 0;
    for (int c = 0; c < C; ++c)
      m = std::fmax(m, z[r * C + c]);
    for (int c = 0; c < C; ++c)
      s += std::exp(z[r * C + c] - m);
    total += std::log(s) + m - z[r * C + labels[r]];
  }
  return total / rows;
}

int main() {
  const int rows = 10, n = rows * C; // the last block has two idle warps
  std::vector<double> hz(n), hdz(n);
  std::vector<int> hlabels(rows);
  for (int i = 0; i < n; ++i)
    hz[i] = 3 * std::sin(0.7 * i) + 0.5 * std::cos(0.05 * i * i);
  for (int r = 0; r < rows; ++r)
    hlabels[r] = (7 * r + 3) % C;
  double *z, *dz;
  int *labels;
  cudaMalloc(&z, n * sizeof(double));
  cudaMalloc(&dz, n * sizeof(double));
  cudaMalloc(&labels, rows * sizeof(int));
  cudaMemcpy(z, hz.data(), n * sizeof(double), cudaMemcpyHostToDevice);
  cudaMemcpy(labels, hlabels.data(), rows * sizeof(int), cudaMemcpyHostToDevice);
  cudaMemset(dz, 0, n * sizeof(double)); // adjoints are added into dz
  int threads = WarpsPerBlock * Warp;
  gradient<<<(rows * Warp + threads - 1) / threads, threads>>>(z, dz, labels,
                                                               rows);
  cudaError_t err = cudaGetLastError(); // launch, then execution errors
  if (err == cudaSuccess)
    err = cudaDeviceSynchronize();
  if (err != cudaSuccess) {
    printf("softmax: %s\n", cudaGetErrorString(err));
    return 1;
  }
  cudaMemcpy(hdz.data(), dz, n * sizeof(double), cudaMemcpyDeviceToHost);

  const double h = 1e-5, tol_closed = 1e-13, tol_fd = 1e-8;
  double err_closed = 0, err_fd = 0; // relative to 1 + |expected|
  for (int r = 0; r < rows; ++r) {
    double m = -INFINITY, s = 0;
    for (int c = 0; c < C; ++c)
      m = std::fmax(m, hz[r * C + c]);
    for (int c = 0; c < C; ++c)
      s += std::exp(hz[r * C + c] - m);
    for (int c = 0; c < C; ++c) {
      int i = r * C + c;
      double p = std::exp(hz[i] - m) / s;
      double closed = (p - (c == hlabels[r])) / rows;
      std::vector<double> zp = hz, zm = hz;
      zp[i] += h;
      zm[i] -= h;
      double fd = (loss_host(zp, hlabels, rows) - loss_host(zm, hlabels, rows)) /
                  (2 * h);
      err_closed = std::fmax(err_closed,
                             std::fabs(hdz[i] - closed) / (1 + std::fabs(closed)));
      err_fd = std::fmax(err_fd, std::fabs(hdz[i] - fd) / (1 + std::fabs(fd)));
    }
  }
  cudaFree(z), cudaFree(dz), cudaFree(labels);
  bool ok = err_closed <= tol_closed && err_fd <= tol_fd;
  printf("softmax: dL/dz for %d x %d logits, max relative error vs "
         "softmax - onehot %.2e (tolerance %.0e), vs finite differences "
         "%.2e (tolerance %.0e): %s\n",
         rows, C, err_closed, tol_closed, err_fd, tol_fd, ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}
