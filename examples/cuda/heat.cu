// Reverse-mode gradient through a 2D heat-equation stencil (double).
//
// Each 16x16 thread block loads a tile of the temperature field u, with a
// halo of Steps cells, into __shared__ memory and advances it Steps explicit
// Euler steps of u' = laplacian(u) there (temporal blocking: the valid part
// of the tile shrinks by one cell per step; cells outside the grid are held
// at 0). Each thread returns the square of its own cell's new temperature,
// so the sum over all threads is the loss
//     L(u) = sum_cells (S^Steps u)^2,   S u = u + R * laplacian(u).
// __enzyme_autodiff of the per-thread function, with u passed as a
// duplicated pointer, gives dL/du in the shadow du: every thread seeds its
// own return with 1, and the adjoints of halo cells that several blocks
// read are added atomically. The gradient is checked against central finite
// differences of L computed on the host, for every cell.
#include <cmath>
#include <cstdio>
#include <vector>

extern "C" __device__ double __enzyme_autodiff(void *, ...);
extern "C" __device__ int enzyme_dup, enzyme_const;

constexpr int B = 16;               // blocks are B x B threads
constexpr int Steps = 2;            // time steps per call
constexpr int Tile = B + 2 * Steps; // the block's cells plus the halo
constexpr double R = 0.2;           // alpha dt / h^2 (stable up to 0.25)

__device__ double heat_loss(const double *u, int nx, int ny) {
  __shared__ double t[2][Tile][Tile]; // the tile at two consecutive steps
  int i0 = blockIdx.x * B - Steps, j0 = blockIdx.y * B - Steps;
  int first = threadIdx.y * B + threadIdx.x;
  for (int k = first; k < Tile * Tile; k += B * B) {
    int i = i0 + k % Tile, j = j0 + k / Tile;
    bool inside = i >= 0 && i < nx && j >= 0 && j < ny;
    t[0][k / Tile][k % Tile] = inside ? u[j * nx + i] : 0.0;
  }
  __syncthreads();
  for (int s = 1; s <= Steps; ++s) {
    const int in = (s - 1) % 2, out = s % 2;
    for (int k = first; k < Tile * Tile; k += B * B) {
      int ti = k % Tile, tj = k / Tile, i = i0 + ti, j = j0 + tj;
      if (ti < s || tj < s || ti >= Tile - s || tj >= Tile - s)
        continue; // no longer valid after s steps
      bool inside = i >= 0 && i < nx && j >= 0 && j < ny;
      double c = t[in][tj][ti];
      double lap = t[in][tj][ti - 1] + t[in][tj][ti + 1] + t[in][tj - 1][ti] +
                   t[in][tj + 1][ti] - 4 * c;
      t[out][tj][ti] = inside ? c + R * lap : 0.0;
    }
    __syncthreads();
  }
  double v = t[Steps % 2][threadIdx.y + Steps][threadIdx.x + Steps];
  return v * v; // zero for threads outside the grid
}

__global__ void gradient(const double *u, double *du, int nx, int ny) {
  __enzyme_autodiff((void *)heat_loss, enzyme_dup, u, du, enzyme_const, nx,
                    enzyme_const, ny);
}

// The same loss on the host, one whole-grid step at a time.
static double loss_host(std::vector<double> u, int nx, int ny) {
  auto at = [&](const std::vector<double> &v, int i, int j) {
    return i >= 0 && i < nx && j >= 0 && j < ny ? v[j * nx + i] : 0.0;
  };
  for (int s = 0; s < Steps; ++s) {
    std::vector<double> next(u.size());
    for (int j = 0; j < ny; ++j)
      for (int i = 0; i < nx; ++i)
        next[j * nx + i] = at(u, i, j) + R * (at(u, i - 1, j) + at(u, i + 1, j) +
                                              at(u, i, j - 1) + at(u, i, j + 1) -
                                              4 * at(u, i, j));
    u = next;
  }
  double total = 0;
  for (double v : u)
    total += v * v;
  return total;
}

int main() {
  const int nx = 40, ny = 24, n = nx * ny; // not a multiple of the block
  std::vector<double> hu(n), hdu(n);
  for (int j = 0; j < ny; ++j)
    for (int i = 0; i < nx; ++i)
      hu[j * nx + i] = std::sin(0.3 * i) * std::cos(0.2 * j) + 0.01 * i * j;
  double *u, *du;
  cudaMalloc(&u, n * sizeof(double));
  cudaMalloc(&du, n * sizeof(double));
  cudaMemcpy(u, hu.data(), n * sizeof(double), cudaMemcpyHostToDevice);
  cudaMemset(du, 0, n * sizeof(double)); // adjoints are added into du
  dim3 grid((nx + B - 1) / B, (ny + B - 1) / B), block(B, B);
  gradient<<<grid, block>>>(u, du, nx, ny);
  cudaError_t err = cudaGetLastError(); // launch, then execution errors
  if (err == cudaSuccess)
    err = cudaDeviceSynchronize();
  if (err != cudaSuccess) {
    printf("heat: %s\n", cudaGetErrorString(err));
    return 1;
  }
  cudaMemcpy(hdu.data(), du, n * sizeof(double), cudaMemcpyDeviceToHost);

  // L is quadratic in u, so central differences have no truncation error
  // and h only sets the rounding error.
  const double h = 1e-4, tol = 1e-7; // |error| <= tol * (1 + |fd|)
  double max_err = 0;
  for (int c = 0; c < n; ++c) {
    std::vector<double> up = hu, um = hu;
    up[c] += h;
    um[c] -= h;
    double fd = (loss_host(up, nx, ny) - loss_host(um, nx, ny)) / (2 * h);
    max_err = std::fmax(max_err, std::fabs(hdu[c] - fd) / (1 + std::fabs(fd)));
  }
  cudaFree(u);
  cudaFree(du);
  bool ok = max_err <= tol;
  printf("heat: dL/du for %d cells, max relative error vs finite differences "
         "%.2e (tolerance %.0e): %s\n", n, max_err, tol, ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}
