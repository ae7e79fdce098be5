// Reverse-mode gradient of a dot product computed with a __shared__ tree
// reduction (float and double).
//
// dot<T> is the usual GPU dot product: each thread multiplies one pair of
// elements into a __shared__ buffer, the block sums the buffer in a tree
// (halving the stride, __syncthreads() between levels), and thread 0 adds
// the block's partial sum to *out with atomicAdd. Every thread differentiates
// it with __enzyme_autodiff, passing x, y and out as duplicated pointers and
// the seed d(out) = 1 in out's shadow: the reverse sweep takes the adjoint of
// *out back through the atomicAdd and the tree into the shadow buffer and
// from there into dx and dy, so dx = d(x.y)/dx = y and dy = x. The result
// and both gradients are checked against a dot product and central finite
// differences computed on the host in double.
#include <cmath>
#include <cstdio>
#include <vector>

extern "C" __device__ void __enzyme_autodiff(void *, ...);
extern "C" __device__ int enzyme_dup, enzyme_const;

constexpr int Block = 128; // a power of two, for the tree

template <class T> __device__ void dot(const T *x, const T *y, T *out, int n) {
  __shared__ T buf[Block];
  int t = threadIdx.x, g = blockIdx.x * Block + t;
  buf[t] = g < n ? x[g] * y[g] : T(0);
  __syncthreads();
  for (int stride = Block / 2; stride > 0; stride /= 2) {
    if (t < stride)
      buf[t] += buf[t + stride];
    __syncthreads();
  }
  if (t == 0)
    atomicAdd(out, buf[0]);
}

template <class T>
__global__ void gradient(const T *x, T *dx, const T *y, T *dy, T *out,
                         T *dout, int n) {
  __enzyme_autodiff((void *)dot<T>, enzyme_dup, x, dx, enzyme_dup, y, dy,
                    enzyme_dup, out, dout, enzyme_const, n);
}

static double dot_host(const std::vector<double> &x,
                       const std::vector<double> &y) {
  double s = 0;
  for (size_t i = 0; i < x.size(); ++i)
    s += x[i] * y[i];
  return s;
}

// d(x.y)/dv[i] by central differences, for v = x or y.
static double fd(std::vector<double> x, std::vector<double> y, bool wrt_x,
                 int i) {
  const double h = 1e-3; // x.y is bilinear: no truncation error
  std::vector<double> &v = wrt_x ? x : y;
  double v0 = v[i];
  v[i] = v0 + h;
  double plus = dot_host(x, y);
  v[i] = v0 - h;
  return (plus - dot_host(x, y)) / (2 * h);
}

template <class T> static bool run(const char *type, double tol) {
  const int n = 1000; // not a multiple of the block
  std::vector<T> hx(n), hy(n), hdx(n), hdy(n);
  std::vector<double> xd(n), yd(n); // the same values, for the host
  for (int i = 0; i < n; ++i) {
    xd[i] = hx[i] = T(std::sin(0.01 * i) + 0.5);
    yd[i] = hy[i] = T(std::cos(0.037 * i));
  }
  T *x, *dx, *y, *dy, *out, *dout, zero = 0, one = 1, hout;
  cudaMalloc(&x, n * sizeof(T));
  cudaMalloc(&y, n * sizeof(T));
  cudaMalloc(&dx, n * sizeof(T));
  cudaMalloc(&dy, n * sizeof(T));
  cudaMalloc(&out, sizeof(T));
  cudaMalloc(&dout, sizeof(T));
  cudaMemcpy(x, hx.data(), n * sizeof(T), cudaMemcpyHostToDevice);
  cudaMemcpy(y, hy.data(), n * sizeof(T), cudaMemcpyHostToDevice);
  cudaMemset(dx, 0, n * sizeof(T)); // adjoints are added into dx, dy
  cudaMemset(dy, 0, n * sizeof(T));
  cudaMemcpy(out, &zero, sizeof(T), cudaMemcpyHostToDevice);
  cudaMemcpy(dout, &one, sizeof(T), cudaMemcpyHostToDevice); // the seed
  gradient<T><<<(n + Block - 1) / Block, Block>>>(x, dx, y, dy, out, dout, n);
  cudaError_t err = cudaGetLastError(); // launch, then execution errors
  if (err == cudaSuccess)
    err = cudaDeviceSynchronize();
  if (err != cudaSuccess) {
    printf("dot<%s>: %s\n", type, cudaGetErrorString(err));
    return false;
  }
  cudaMemcpy(hdx.data(), dx, n * sizeof(T), cudaMemcpyDeviceToHost);
  cudaMemcpy(hdy.data(), dy, n * sizeof(T), cudaMemcpyDeviceToHost);
  cudaMemcpy(&hout, out, sizeof(T), cudaMemcpyDeviceToHost);
  double want = dot_host(xd, yd);
  double max_err = std::fabs(hout - want) / (1 + std::fabs(want));
  for (int i = 0; i < n; ++i) {
    double gx = fd(xd, yd, true, i), gy = fd(xd, yd, false, i);
    max_err = std::fmax(max_err, std::fabs(hdx[i] - gx) / (1 + std::fabs(gx)));
    max_err = std::fmax(max_err, std::fabs(hdy[i] - gy) / (1 + std::fabs(gy)));
  }
  cudaFree(x), cudaFree(y), cudaFree(dx), cudaFree(dy);
  cudaFree(out), cudaFree(dout);
  bool ok = max_err <= tol;
  printf("dot<%s>: x.y = %.6f, dx and dy for n = %d, max relative error vs "
         "finite differences %.2e (tolerance %.0e): %s\n",
         type, double(hout), n, max_err, tol, ok ? "PASS" : "FAIL");
  return ok;
}

int main() {
  bool ok = run<double>("double", 1e-9);
  ok &= run<float>("float", 1e-5); // float sums of 1000 terms
  return ok ? 0 : 1;
}
