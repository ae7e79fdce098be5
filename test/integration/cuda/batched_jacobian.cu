// fluxion::cuda::batched_jacobian (include/fluxion/cuda.cuh): the Jacobians
// of B = 300 samples of a damped pendulum step, one sample per thread, in
// double and float, with the model as a struct and as a __device__ lambda
// capturing a time step. State (q, p) and parameters (k, c): n = 4 inputs,
// m = 2 outputs. Checked against central finite differences of the same
// step on the host (relative 1e-7 for double, 2e-3 for float).
#include "check.cuh"

#include <fluxion/cuda.cuh>
#include <vector>

template <class T> __host__ __device__ void step(const T *x, T *y, T dt) {
  T q = x[0], p = x[1], k = x[2], c = x[3];
  y[0] = q + dt * p;
  y[1] = p - dt * (k * sin(q) + c * p * p * p);
}

struct Pendulum {
  double dt;
  template <class T> __device__ void operator()(const T *x, T *y) const {
    step(x, y, T(dt));
  }
};

template <class T, class F> void check(const F &f, double dt, double tol) {
  constexpr int N = 4, M = 2, B = 300;
  std::vector<T> hx(B * N), hj(B * M * N);
  for (int i = 0; i < B * N; ++i)
    hx[i] = T(0.4 * std::sin(0.9 * i) + (i % N == 2 ? 1.5 : 0.2));
  T *x, *j;
  CUDA_CHECK(cudaMalloc(&x, hx.size() * sizeof(T)));
  CUDA_CHECK(cudaMalloc(&j, hj.size() * sizeof(T)));
  CUDA_CHECK(cudaMemcpy(x, hx.data(), hx.size() * sizeof(T),
                        cudaMemcpyHostToDevice));
  CUDA_CHECK((fluxion::cuda::batched_jacobian<N, M>(f, x, j, B)));
  CUDA_CHECK(cudaMemcpy(hj.data(), j, hj.size() * sizeof(T),
                        cudaMemcpyDeviceToHost));
  for (int b = 0; b < B; ++b)
    for (int col = 0; col < N; ++col) {
      double xp[N], xm[N], yp[M], ym[M], h = 1e-6;
      for (int k = 0; k < N; ++k)
        xp[k] = xm[k] = double(hx[b * N + k]);
      xp[col] += h;
      xm[col] -= h;
      step(xp, yp, dt);
      step(xm, ym, dt);
      for (int row = 0; row < M; ++row)
        CHECK_NEAR(hj[(b * M + row) * N + col], (yp[row] - ym[row]) / (2 * h),
                   tol);
    }
  cudaFree(x);
  cudaFree(j);
}

int main() {
  check<double>(Pendulum{0.05}, 0.05, 1e-7);
  check<float>(Pendulum{0.05}, 0.05, 2e-3);
  double dt = 0.02;
  auto lambda = [dt] __device__(const double *x, double *y) {
    step(x, y, dt);
  };
  check<double>(lambda, dt, 1e-7);
  return finish("batched_jacobian");
}
