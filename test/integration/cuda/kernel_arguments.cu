// fluxion::cuda::gradient / tangent convert each argument to its kernel
// parameter's type when that does not narrow (the compile-time checks of
// the other cases are in test/lit/api/cuda-misuse.cu):
//   scaled_sum: y[i] = a sin(x[i]) + b y[i] + c for i < n, with a double
//     a, float b and c, and an int n; launched with constant(short) for n,
//     dup(double *) for the const double * x without a cast and, in forward
//     mode, constant(float) for a. Reverse with y's adjoint seeded to w and a
//     active: dx[i] = a cos(x[i]) w[i], dy[i] = b w[i], da = sum_i
//     sin(x[i]) w[i]; forward along dx: dy_out[i] = a cos(x[i]) dx[i] +
//     b dy_in[i].
// Checked against the closed forms (relative 1e-12).
#include "check.cuh"

#include <fluxion/cuda.cuh>
#include <vector>

using namespace fluxion::cuda;

__global__ void scaled_sum(double a, const double *x, double *y, float b,
                           float c, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    y[i] = a * sin(x[i]) + b * y[i] + c;
}

int main() {
  const int n = 150;
  const short count = n;
  const float a = 1.5f, b = 0.75f, c = 0.25f;
  std::vector<double> hx(n), hy(n), hw(n), hv(n), zero(n, 0.0);
  for (int i = 0; i < n; ++i) {
    hx[i] = 0.02 * i - 1.0;
    hy[i] = 0.5 + 0.01 * i;
    hw[i] = std::cos(0.3 * i);
    hv[i] = std::sin(0.2 * i);
  }
  double *x = upload(hx), *y = upload(hy), *dx = upload(zero), *dy = upload(hw),
         *da = upload(std::vector<double>(1, 0.0));
  dim3 grid((n + 63) / 64), block(64);

  // Reverse mode: a is active (double, as its parameter); the constant
  // float a of the tangent below converts to double.
  CUDA_CHECK(gradient<scaled_sum>(grid, block, 0, 0, active(double(a), da),
                                  dup(x, dx), dup(y, dy), constant(b),
                                  constant(c), constant(count)));
  std::vector<double> gx = download(dx, n), gy = download(dy, n),
                      out = download(y, n);
  double want_da = 0;
  for (int i = 0; i < n; ++i) {
    want_da += std::sin(hx[i]) * hw[i];
    CHECK_NEAR(gx[i], a * std::cos(hx[i]) * hw[i], 1e-12);
    CHECK_NEAR(gy[i], b * hw[i], 1e-12);
    CHECK_NEAR(out[i], a * std::sin(hx[i]) + b * hy[i] + c, 1e-12);
  }
  CHECK_NEAR(download(da, 1)[0], want_da, 1e-12);

  // Forward mode with the float a converted to the double parameter.
  double *y2 = upload(hy), *tx = upload(hv), *ty = upload(hw);
  CUDA_CHECK(tangent<scaled_sum>(grid, block, 0, 0, constant(a), dup(x, tx),
                                 dup(y2, ty), constant(b), constant(c),
                                 constant(count)));
  std::vector<double> tout = download(ty, n);
  for (int i = 0; i < n; ++i)
    CHECK_NEAR(tout[i], a * std::cos(hx[i]) * hv[i] + b * hw[i], 1e-12);
  return finish("kernel_arguments");
}
