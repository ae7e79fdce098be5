// Gradient and a Jacobian-vector product of a dense tanh layer with a squared
// error loss (float).
//
// Thread i computes output i of y = tanh(W x + b) (one row of W per thread)
// and returns its share of the loss
//     L(W, b, x) = 1/2 sum_i (y_i - target_i)^2.
// Reverse mode: __enzyme_autodiff with W, b and x as duplicated pointers
// gives dL/dW and dL/db (each thread writes its own row) and dL/dx (every
// thread reads all of x, so the adjoints from all rows are added atomically).
// Forward mode: __enzyme_fwddiff with the tangents (vW, vb, vx) in the shadows
// gives each thread the directional derivative of its share; their sum is
// the JVP dL.(vW, vb, vx). Every gradient entry and the JVP are checked
// against central finite differences of L computed on the host in double,
// and the JVP also against the gradient dotted with the direction.
#include <cmath>
#include <cstdio>
#include <vector>

extern "C" __device__ void __enzyme_autodiff(void *, ...);
extern "C" __device__ float __enzyme_fwddiff(void *, ...);
extern "C" __device__ int enzyme_dup, enzyme_const;

constexpr int M = 48, N = 40, Block = 32; // W is M x N; M threads

__device__ float loss_row(const float *W, const float *b, const float *x,
                          const float *target) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= M)
    return 0.0f;
  float z = b[i];
  for (int j = 0; j < N; ++j)
    z += W[i * N + j] * x[j];
  float e = tanhf(z) - target[i];
  return 0.5f * e * e;
}

__global__ void gradient(const float *W, float *dW, const float *b, float *db,
                         const float *x, float *dx, const float *target) {
  __enzyme_autodiff((void *)loss_row, enzyme_dup, W, dW, enzyme_dup, b, db,
                    enzyme_dup, x, dx, enzyme_const, target);
}

__global__ void jvp(const float *W, const float *vW, const float *b,
                    const float *vb, const float *x, const float *vx,
                    const float *target, float *tangent) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  float t = __enzyme_fwddiff((void *)loss_row, enzyme_dup, W, vW, enzyme_dup,
                             b, vb, enzyme_dup, x, vx, enzyme_const, target);
  if (i < M)
    tangent[i] = t;
}

// The parameters W, b, x one after another, as the host sees them.
constexpr int P = M * N + M + N;
static double loss_host(const std::vector<double> &p,
                        const std::vector<double> &target) {
  const double *W = p.data(), *b = W + M * N, *x = b + M;
  double total = 0;
  for (int i = 0; i < M; ++i) {
    double z = b[i];
    for (int j = 0; j < N; ++j)
      z += W[i * N + j] * x[j];
    total += 0.5 * (std::tanh(z) - target[i]) * (std::tanh(z) - target[i]);
  }
  return total;
}

static float *to_device(const float *host, int n) {
  float *d;
  cudaMalloc(&d, n * sizeof(float));
  cudaMemcpy(d, host, n * sizeof(float), cudaMemcpyHostToDevice);
  return d;
}

int main() {
  std::vector<float> p(P), v(P), grad(P), zeros(P, 0.0f), target(M), t(M);
  for (int k = 0; k < P; ++k) {
    p[k] = 0.3f * std::sin(0.37f * k) + (k >= M * N + M ? 0.5f : 0.0f);
    v[k] = std::cos(0.11f * k); // the JVP direction
  }
  for (int i = 0; i < M; ++i)
    target[i] = 0.8f * std::sin(0.5f * i);
  float *W = to_device(p.data(), P), *b = W + M * N, *x = b + M;
  float *dW = to_device(zeros.data(), P), *db = dW + M * N, *dx = db + M;
  float *vW = to_device(v.data(), P), *vb = vW + M * N, *vx = vb + M;
  float *tg = to_device(target.data(), M), *tangent = to_device(zeros.data(), M);
  int blocks = (M + Block - 1) / Block;
  gradient<<<blocks, Block>>>(W, dW, b, db, x, dx, tg);
  jvp<<<blocks, Block>>>(W, vW, b, vb, x, vx, tg, tangent);
  cudaError_t err = cudaGetLastError(); // launch, then execution errors
  if (err == cudaSuccess)
    err = cudaDeviceSynchronize();
  if (err != cudaSuccess) {
    printf("dense: %s\n", cudaGetErrorString(err));
    return 1;
  }
  cudaMemcpy(grad.data(), dW, P * sizeof(float), cudaMemcpyDeviceToHost);
  cudaMemcpy(t.data(), tangent, M * sizeof(float), cudaMemcpyDeviceToHost);

  std::vector<double> pd(p.begin(), p.end()), td(target.begin(), target.end());
  const double h = 1e-4, tol = 1e-5; // float kernels: |error| <= tol (1 + |fd|)
  double grad_err = 0, grad_dot_v = 0;
  for (int k = 0; k < P; ++k) {
    std::vector<double> pp = pd, pm = pd;
    pp[k] += h;
    pm[k] -= h;
    double fd = (loss_host(pp, td) - loss_host(pm, td)) / (2 * h);
    grad_err = std::fmax(grad_err, std::fabs(grad[k] - fd) / (1 + std::fabs(fd)));
    grad_dot_v += double(grad[k]) * v[k];
  }
  std::vector<double> pp = pd, pm = pd;
  for (int k = 0; k < P; ++k) {
    pp[k] += h * v[k];
    pm[k] -= h * v[k];
  }
  double fd_jvp = (loss_host(pp, td) - loss_host(pm, td)) / (2 * h), sum = 0;
  for (int i = 0; i < M; ++i)
    sum += t[i];
  double jvp_err = std::fabs(sum - fd_jvp) / (1 + std::fabs(fd_jvp));
  double dot_err = std::fabs(sum - grad_dot_v) / (1 + std::fabs(grad_dot_v));
  cudaFree(W), cudaFree(dW), cudaFree(vW), cudaFree(tg), cudaFree(tangent);
  bool ok = grad_err <= tol && jvp_err <= tol && dot_err <= tol;
  printf("dense: gradient (%d entries of W, b, x) vs finite differences: max "
         "relative error %.2e; JVP %.6f vs finite differences %.2e, vs "
         "gradient . v %.2e (tolerance %.0e): %s\n",
         P, grad_err, sum, jvp_err, dot_err, tol, ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}
