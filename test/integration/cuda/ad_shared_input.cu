// Reverse mode in device code where every thread reads the same input: each
// thread's adjoint of x[0] lands in the same shadow element, so the
// accumulation must be atomic. f_i(x) = x[0] * sin(x[i]) for thread i; the
// summed gradient is d/dx[0] = sum_i sin(x[i]) + x[0] cos(x[0]) (thread 0's
// term), d/dx[i] = x[0] cos(x[i]) for i > 0. Checked on the host (relative
// 1e-12).
#include <cmath>
#include <cstdio>

extern "C" __device__ void __enzyme_autodiff(void *, ...);
extern "C" __device__ int enzyme_const;

__device__ double term(const double *x, int i) { return x[0] * sin(x[i]); }

__global__ void gradient(const double *x, double *dx, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    __enzyme_autodiff((void *)term, x, dx, enzyme_const, i);
}

int main() {
  const int n = 1000;
  double hx[n], hdx[n];
  for (int i = 0; i < n; ++i)
    hx[i] = 0.3 + 0.001 * i;
  double *x, *dx;
  cudaMalloc(&x, n * sizeof(double));
  cudaMalloc(&dx, n * sizeof(double));
  cudaMemcpy(x, hx, n * sizeof(double), cudaMemcpyHostToDevice);
  cudaMemset(dx, 0, n * sizeof(double));
  gradient<<<(n + 127) / 128, 128>>>(x, dx, n);
  cudaMemcpy(hdx, dx, n * sizeof(double), cudaMemcpyDeviceToHost);
  int failures = 0;
  for (int i = 0; i < n; ++i) {
    double want = hx[0] * cos(hx[i]);
    if (i == 0) {
      want = hx[0] * cos(hx[0]);
      for (int k = 0; k < n; ++k)
        want += sin(hx[k]);
    }
    if (fabs(hdx[i] - want) > 1e-12 * fmax(1.0, fabs(want)) && failures++ < 5)
      printf("dx[%d] = %.17g, want %.17g\n", i, hdx[i], want);
  }
  printf("ad_shared_input: %s\n", failures ? "FAIL" : "PASS");
  return failures != 0;
}
