// Newton's method on a 100-variable function, twice: with the full Hessian
// from fluxion::hessian (dense Cholesky solve), and matrix-free with
// fluxion::hvp inside conjugate gradients (Newton-CG). Both must reach a
// gradient norm below 1e-10.
//   f(x) = sum_i [ (x_i - c_i)^4 / 4 + (x_i - c_i)^2 ] + 0.5 sum_i (x_i -
//   x_{i+1})^2 e^{-x_i^2/10}
#include <fluxion/ad.hpp>

#include <cmath>
#include <cstdio>
#include <vector>

constexpr size_t N = 100;

int main() {
  std::vector<double> c(N);
  for (size_t i = 0; i < N; ++i)
    c[i] = std::sin(0.3 * i);
  auto f = [&c](const double *x) {
    double s = 0;
    for (size_t i = 0; i < N; ++i) {
      double d = x[i] - c[i];
      s += 0.25 * d * d * d * d + d * d;
      if (i + 1 < N) {
        double e = x[i] - x[i + 1];
        s += 0.5 * e * e * std::exp(-x[i] * x[i] / 10);
      }
    }
    return s;
  };
  auto norm = [](const std::vector<double> &v) {
    double s = 0;
    for (double e : v)
      s += e * e;
    return std::sqrt(s);
  };
  int failures = 0;

  // Dense Newton: H dx = -g by Cholesky.
  std::vector<double> x(N, 2.0), g(N), H(N * N), dx(N);
  for (int it = 0; it < 30; ++it) {
    fluxion::gradient(f, x.data(), g.data(), N);
    std::printf("hessian  iter %2d  |grad| %.3e\n", it, norm(g));
    if (norm(g) < 1e-10)
      break;
    fluxion::hessian(f, x.data(), H.data(), N);
    for (size_t j = 0; j < N; ++j) { // H = L L^T in place
      for (size_t k = 0; k < j; ++k)
        H[j * N + j] -= H[j * N + k] * H[j * N + k];
      H[j * N + j] = std::sqrt(H[j * N + j]);
      for (size_t i = j + 1; i < N; ++i) {
        for (size_t k = 0; k < j; ++k)
          H[i * N + j] -= H[i * N + k] * H[j * N + k];
        H[i * N + j] /= H[j * N + j];
      }
    }
    for (size_t i = 0; i < N; ++i) { // L y = -g, L^T dx = y
      dx[i] = -g[i];
      for (size_t k = 0; k < i; ++k)
        dx[i] -= H[i * N + k] * dx[k];
      dx[i] /= H[i * N + i];
    }
    for (size_t i = N; i-- > 0;) {
      for (size_t k = i + 1; k < N; ++k)
        dx[i] -= H[k * N + i] * dx[k];
      dx[i] /= H[i * N + i];
    }
    for (size_t i = 0; i < N; ++i)
      x[i] += dx[i];
  }
  fluxion::gradient(f, x.data(), g.data(), N);
  failures += !(norm(g) < 1e-10);
  std::vector<double> xh = x;

  // Newton-CG: each CG iteration needs one Hessian-vector product.
  x.assign(N, 2.0);
  std::vector<double> r(N), p(N), hp(N);
  for (int it = 0; it < 30; ++it) {
    fluxion::gradient(f, x.data(), g.data(), N);
    std::printf("hvp-cg   iter %2d  |grad| %.3e\n", it, norm(g));
    if (norm(g) < 1e-10)
      break;
    dx.assign(N, 0.0);
    for (size_t i = 0; i < N; ++i)
      r[i] = p[i] = -g[i];
    double rr = 0;
    for (double e : r)
      rr += e * e;
    for (int k = 0; k < 200 && std::sqrt(rr) > 1e-14; ++k) {
      fluxion::hvp(f, x.data(), p.data(), hp.data(), N);
      double php = 0;
      for (size_t i = 0; i < N; ++i)
        php += p[i] * hp[i];
      double a = rr / php, rr2 = 0;
      for (size_t i = 0; i < N; ++i) {
        dx[i] += a * p[i];
        r[i] -= a * hp[i];
        rr2 += r[i] * r[i];
      }
      for (size_t i = 0; i < N; ++i)
        p[i] = r[i] + rr2 / rr * p[i];
      rr = rr2;
    }
    for (size_t i = 0; i < N; ++i)
      x[i] += dx[i];
  }
  fluxion::gradient(f, x.data(), g.data(), N);
  failures += !(norm(g) < 1e-10);
  double diff = 0;
  for (size_t i = 0; i < N; ++i)
    diff = std::fmax(diff, std::fabs(x[i] - xh[i]));
  std::printf("both methods agree to %.2e\n", diff);
  failures += !(diff < 1e-8);
  return failures ? 1 : 0;
}
