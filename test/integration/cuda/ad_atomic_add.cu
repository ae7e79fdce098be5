// A __device__ function that accumulates into a shared total with atomicAdd,
// differentiated per thread in both modes. Every thread i adds
// w * sin(x[i]) and subtracts 0.5 * x[i]^2 (atomicAdd of a negative value),
// for float and double:
//   reverse: with the adjoint of the total seeded to u, dx[i] = u * (w cos
//     x[i] - x[i]) and the adjoint of w (summed over threads through an
//     atomicAdd of each thread's share) = u * sum_i sin(x[i]);
//   forward: the tangent of the total along dx = v (dw = 0) is
//     sum_i v[i] * (w cos x[i] - x[i]).
// Checked against these closed forms on the host (relative 1e-12 for
// double, 1e-4 for float).
#include "check.cuh"

extern "C" __device__ void __enzyme_autodiff(void *, ...);
extern "C" __device__ void __enzyme_fwddiff(void *, ...);
extern "C" __device__ int enzyme_const;
extern "C" __device__ int enzyme_dup;

template <class T>
__device__ void accumulate(T *total, const T *x, const T *w, int i) {
  atomicAdd(total, w[0] * sin(x[i]));
  atomicAdd(total, -T(0.5) * x[i] * x[i]);
}

template <class T>
__global__ void reverse(T *total, T *dtotal, const T *x, T *dx, const T *w,
                        T *dw, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    __enzyme_autodiff((void *)accumulate<T>, enzyme_dup, total, dtotal,
                      enzyme_dup, x, dx, enzyme_dup, w, dw, enzyme_const, i);
}

template <class T>
__global__ void forward(T *total, T *dtotal, const T *x, const T *v,
                        const T *w, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    __enzyme_fwddiff((void *)accumulate<T>, enzyme_dup, total, dtotal,
                     enzyme_dup, x, v, enzyme_const, w, enzyme_const, i);
}

template <class T> T *device_copy(const T *host, int n) {
  T *d;
  cudaMalloc(&d, n * sizeof(T));
  cudaMemcpy(d, host, n * sizeof(T), cudaMemcpyHostToDevice);
  return d;
}

template <class T> void run(double tol) {
  const int n = 300;
  const double u = 1.5, w = 0.8;
  T hx[n], hdx[n], hv[n], zero[n] = {}, hw = T(w), hu = T(u), sum = 0;
  for (int i = 0; i < n; ++i) {
    hx[i] = T(0.01 * i - 1.0);
    hv[i] = T(std::cos(0.1 * i));
  }
  T *total = device_copy(&sum, 1), *dtotal = device_copy(&hu, 1);
  T *x = device_copy(hx, n), *dx = device_copy(zero, n);
  T *wd = device_copy(&hw, 1), *dw = device_copy(zero, 1);
  reverse<T><<<(n + 63) / 64, 64>>>(total, dtotal, x, dx, wd, dw, n);
  LAUNCH_CHECK();
  T hdw, htotal;
  cudaMemcpy(hdx, dx, n * sizeof(T), cudaMemcpyDeviceToHost);
  cudaMemcpy(&hdw, dw, sizeof(T), cudaMemcpyDeviceToHost);
  cudaMemcpy(&htotal, total, sizeof(T), cudaMemcpyDeviceToHost);
  double want_total = 0, want_dw = 0, want_tangent = 0;
  for (int i = 0; i < n; ++i) {
    double xi = hx[i];
    want_total += w * std::sin(xi) - 0.5 * xi * xi;
    want_dw += u * std::sin(xi);
    want_tangent += double(hv[i]) * (w * std::cos(xi) - xi);
    CHECK_NEAR(hdx[i], u * (w * std::cos(xi) - xi), tol);
  }
  CHECK_NEAR(htotal, want_total, tol);
  CHECK_NEAR(hdw, want_dw, tol);

  T *v = device_copy(hv, n), *tangent = device_copy(zero, 1);
  cudaMemcpy(total, &sum, sizeof(T), cudaMemcpyHostToDevice);
  forward<T><<<(n + 63) / 64, 64>>>(total, tangent, x, v, wd, n);
  LAUNCH_CHECK();
  T htangent;
  cudaMemcpy(&htangent, tangent, sizeof(T), cudaMemcpyDeviceToHost);
  cudaMemcpy(&htotal, total, sizeof(T), cudaMemcpyDeviceToHost);
  CHECK_NEAR(htangent, want_tangent, tol);
  CHECK_NEAR(htotal, want_total, tol);
}

int main() {
  run<double>(1e-12);
  run<float>(1e-4);
  return finish("ad_atomic_add");
}
