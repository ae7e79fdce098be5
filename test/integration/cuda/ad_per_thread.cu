// Per-thread derivatives in device code: each thread differentiates a
// __device__ function of its own input with __enzyme_autodiff and
// __enzyme_fwddiff, in double and float, through libdevice math. Results are
// compared with closed forms evaluated on the host (relative 1e-12 for
// double, 1e-5 for float).
#include <cmath>
#include <cstdio>

extern "C" __device__ double __enzyme_autodiff(void *, ...);
extern "C" __device__ double __enzyme_fwddiff(void *, ...);
extern "C" __device__ float __enzyme_autodiff_f(void *, ...)
    __asm__("__enzyme_autodiff");

__device__ double f(double x) {
  return sin(x) * exp(x) + sqrt(x) * log(x + 2.0) + pow(x, 2.5);
}
__device__ float g(float x) { return tanhf(x) * x + cosf(2.0f * x); }

__global__ void derivatives(const double *x, double *rev, double *fwd,
                            float *revf, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n)
    return;
  rev[i] = __enzyme_autodiff((void *)f, x[i]);
  fwd[i] = __enzyme_fwddiff((void *)f, x[i], 1.0);
  revf[i] = __enzyme_autodiff_f((void *)g, (float)x[i]);
}

static double df(double x) {
  return cos(x) * exp(x) + sin(x) * exp(x) + 0.5 / sqrt(x) * log(x + 2.0) +
         sqrt(x) / (x + 2.0) + 2.5 * pow(x, 1.5);
}
static double dg(double x) {
  double t = tanh(x);
  return (1 - t * t) * x + t - 2.0 * sin(2.0 * x);
}

int main() {
  const int n = 200;
  double hx[n], hrev[n], hfwd[n];
  float hrevf[n];
  for (int i = 0; i < n; ++i)
    hx[i] = 0.05 + 0.02 * i;
  double *x, *rev, *fwd;
  float *revf;
  cudaMalloc(&x, n * sizeof(double));
  cudaMalloc(&rev, n * sizeof(double));
  cudaMalloc(&fwd, n * sizeof(double));
  cudaMalloc(&revf, n * sizeof(float));
  cudaMemcpy(x, hx, n * sizeof(double), cudaMemcpyHostToDevice);
  derivatives<<<(n + 63) / 64, 64>>>(x, rev, fwd, revf, n);
  if (cudaGetLastError() != cudaSuccess || cudaDeviceSynchronize() != cudaSuccess) {
    printf("launch failed\n");
    return 1;
  }
  cudaMemcpy(hrev, rev, n * sizeof(double), cudaMemcpyDeviceToHost);
  cudaMemcpy(hfwd, fwd, n * sizeof(double), cudaMemcpyDeviceToHost);
  cudaMemcpy(hrevf, revf, n * sizeof(float), cudaMemcpyDeviceToHost);
  int failures = 0;
  for (int i = 0; i < n; ++i) {
    double want = df(hx[i]), wantf = dg((float)hx[i]);
    if (fabs(hrev[i] - want) > 1e-12 * fmax(1, fabs(want)) ||
        fabs(hfwd[i] - want) > 1e-12 * fmax(1, fabs(want)) ||
        fabs(hrevf[i] - wantf) > 1e-5 * fmax(1, fabs(wantf))) {
      if (failures++ < 5)
        printf("x=%g: reverse %.17g forward %.17g (want %.17g), float %g "
               "(want %g)\n",
               hx[i], hrev[i], hfwd[i], want, hrevf[i], wantf);
    }
  }
  printf("ad_per_thread: %s\n", failures ? "FAIL" : "PASS");
  return failures != 0;
}
