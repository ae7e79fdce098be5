// A CUDA kernel's gradient run on the CPU: each thread differentiates
// y[i] = a * x[i] * x[i] in reverse mode, so dx[i] = 2 a x[i] dy[i];
// checked against the closed form, exits non-zero on a mismatch.
#include <cmath>
#include <cstdio>

extern "C" __device__ void __enzyme_autodiff(void *, ...);
extern "C" __device__ int enzyme_dup, enzyme_const;

__device__ void square_scaled(const double *x, double *y, double a) {
  *y = a * *x * *x;
}

__global__ void gradient(const double *x, double *dx, double *y, double *dy,
                         double a, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    __enzyme_autodiff((void *)square_scaled, enzyme_dup, x + i, dx + i,
                      enzyme_dup, y + i, dy + i, enzyme_const, a);
}

int main() {
  const int n = 64;
  double hx[n], hdx[n], hdy[n];
  for (int i = 0; i < n; ++i) {
    hx[i] = 0.1 * i - 2.0;
    hdx[i] = 0;
    hdy[i] = 1.0;
  }
  double *x, *dx, *y, *dy;
  cudaMalloc(&x, sizeof hx);
  cudaMalloc(&dx, sizeof hx);
  cudaMalloc(&y, sizeof hx);
  cudaMalloc(&dy, sizeof hx);
  cudaMemcpy(x, hx, sizeof hx, cudaMemcpyHostToDevice);
  cudaMemcpy(dx, hdx, sizeof hx, cudaMemcpyHostToDevice);
  cudaMemcpy(dy, hdy, sizeof hx, cudaMemcpyHostToDevice);
  gradient<<<2, 32>>>(x, dx, y, dy, 1.5, n);
  cudaMemcpy(hdx, dx, sizeof hx, cudaMemcpyDeviceToHost);
  int failures = 0;
  for (int i = 0; i < n; ++i) {
    double want = 2 * 1.5 * hx[i];
    if (std::fabs(hdx[i] - want) > 1e-12 * std::fabs(want) + 1e-14) {
      std::printf("FAIL dx[%d]: got %.17g want %.17g\n", i, hdx[i], want);
      ++failures;
    }
  }
  if (!failures)
    std::printf("saxpy_grad: ok\n");
  return failures;
}
