// Second derivatives in device code: each thread takes a Hessian-vector
// product of a 3-variable __device__ function by forward mode over reverse
// mode (__enzyme_fwddiff of a function that calls __enzyme_autodiff), with
// its variables in a thread-local array, for double and float. Checked
// against central finite differences of the closed-form gradient on the
// host (relative 1e-7 for double, 2e-3 for float).
#include "check.cuh"

extern "C" __device__ void __enzyme_autodiff(void *, ...);
extern "C" __device__ void __enzyme_fwddiff(void *, ...);
extern "C" __device__ int enzyme_dup;

template <class T> __device__ T f(const T *x) {
  return x[0] * x[1] * sin(x[2]) + exp(x[0] * x[2]) + x[1] * x[1] * x[2];
}

template <class T> __device__ void gradient(const T *x, T *g) {
  for (int k = 0; k < 3; ++k)
    g[k] = 0;
  __enzyme_autodiff((void *)f<T>, enzyme_dup, x, g);
}

template <class T>
__global__ void hvp(const T *xs, const T *vs, T *hvs, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n)
    return;
  T x[3], v[3], g[3], hv[3];
  for (int k = 0; k < 3; ++k) {
    x[k] = xs[3 * i + k];
    v[k] = vs[3 * i + k];
  }
  __enzyme_fwddiff((void *)gradient<T>, enzyme_dup, x, v, enzyme_dup, g, hv);
  for (int k = 0; k < 3; ++k)
    hvs[3 * i + k] = hv[k];
}

static void gradient_host(const double *x, double *g) {
  g[0] = x[1] * std::sin(x[2]) + x[2] * std::exp(x[0] * x[2]);
  g[1] = x[0] * std::sin(x[2]) + 2 * x[1] * x[2];
  g[2] = x[0] * x[1] * std::cos(x[2]) + x[0] * std::exp(x[0] * x[2]) +
         x[1] * x[1];
}

template <class T> void run(double tol) {
  const int n = 100;
  T hx[3 * n], hv[3 * n], hhv[3 * n];
  for (int i = 0; i < 3 * n; ++i) {
    hx[i] = T(0.5 * std::sin(0.37 * i) + 0.1);
    hv[i] = T(std::cos(0.23 * i));
  }
  T *x, *v, *out;
  CUDA_CHECK(cudaMalloc(&x, sizeof hx));
  CUDA_CHECK(cudaMalloc(&v, sizeof hv));
  CUDA_CHECK(cudaMalloc(&out, sizeof hhv));
  CUDA_CHECK(cudaMemcpy(x, hx, sizeof hx, cudaMemcpyHostToDevice));
  CUDA_CHECK(cudaMemcpy(v, hv, sizeof hv, cudaMemcpyHostToDevice));
  hvp<T><<<(n + 31) / 32, 32>>>(x, v, out, n);
  LAUNCH_CHECK();
  CUDA_CHECK(cudaMemcpy(hhv, out, sizeof hhv, cudaMemcpyDeviceToHost));
  for (int i = 0; i < n; ++i) {
    double xp[3], xm[3], gp[3], gm[3], h = 1e-5;
    for (int k = 0; k < 3; ++k) {
      xp[k] = double(hx[3 * i + k]) + h * double(hv[3 * i + k]);
      xm[k] = double(hx[3 * i + k]) - h * double(hv[3 * i + k]);
    }
    gradient_host(xp, gp);
    gradient_host(xm, gm);
    for (int k = 0; k < 3; ++k)
      CHECK_NEAR(hhv[3 * i + k], (gp[k] - gm[k]) / (2 * h), tol);
  }
}

int main() {
  run<double>(1e-7);
  run<float>(2e-3);
  return finish("ad_nested");
}
