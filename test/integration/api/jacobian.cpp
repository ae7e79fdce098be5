// fluxion::jacobian for float and double, fluxion::fn<> and capturing
// lambdas: vector forward mode (width 8, remainder chunks), scalar JVPs
// (width 1), reverse mode and the automatic choice, for n < m, n = m and
// n > m, against central finite differences.
#include "check.hpp"
#include <fluxion/ad.hpp>

// y_i = sin(sum_j c_ij x_j) + x_{i mod n}^2, c_ij = cos(i + 2j) / 3
template <class T> struct wave {
  size_t n, m;
  void operator()(const T *x, T *y) const {
    for (size_t i = 0; i < m; ++i) {
      T s = 0;
      for (size_t j = 0; j < n; ++j)
        s += T(std::cos(double(i + 2 * j)) / 3) * x[j];
      y[i] = std::sin(s) + x[i % n] * x[i % n];
    }
  }
};

constexpr size_t FN = 5, FM = 3;
template <class T> void small_map(const T *x, T *y) {
  for (size_t i = 0; i < FM; ++i)
    y[i] = x[i] * x[i + 1] * std::exp(T(0.1) * x[i + 2]);
}

template <unsigned W, class T, class F>
void check_jacobian(const char *what, const F &f, size_t n, size_t m,
                    fluxion::jacobian_mode mode) {
  std::vector<double> xd(n);
  for (size_t j = 0; j < n; ++j)
    xd[j] = 0.2 + 0.3 * std::sin(double(j));
  wave<double> ref{n, m};
  std::vector<double> want = fd_jacobian(ref, xd, m);
  std::vector<T> x(xd.begin(), xd.end()), J(m * n, T(-7));
  fluxion::jacobian<W>(f, x.data(), J.data(), n, m, mode);
  CHECK_ALL(T, what, J, want, m * n);
}

template <class T> void run() {
  using M = fluxion::jacobian_mode;
  // shapes: tall (forward), square, wide (reverse), width remainders
  const size_t shapes[][2] = {{3, 11}, {8, 8}, {13, 13}, {17, 4}, {1, 5}};
  for (auto &s : shapes) {
    size_t n = s[0], m = s[1];
    wave<T> f{n, m};
    check_jacobian<8, T>("auto", f, n, m, M::automatic);
    check_jacobian<8, T>("forward w8", f, n, m, M::forward);
    check_jacobian<1, T>("forward w1", f, n, m, M::forward);
    check_jacobian<4, T>("forward w4", f, n, m, M::forward);
    check_jacobian<8, T>("reverse", f, n, m, M::reverse);
    // a lambda capturing the functor by reference
    auto lam = [&f](const T *x, T *y) { f(x, y); };
    check_jacobian<8, T>("lambda auto", lam, n, m, M::automatic);
    check_jacobian<8, T>("lambda reverse", lam, n, m, M::reverse);
  }
  // a plain function template through fluxion::fn
  std::vector<double> xd = {0.4, -0.3, 0.8, 1.1, 0.2};
  std::vector<double> want =
      fd_jacobian([](const double *x, double *y) { small_map(x, y); }, xd, FM);
  std::vector<T> x(xd.begin(), xd.end()), J(FM * FN);
  fluxion::jacobian(fluxion::fn<small_map<T>>, x.data(), J.data(), FN, FM);
  CHECK_ALL(T, "fn<> auto", J, want, FM * FN);
  fluxion::jacobian(fluxion::fn<small_map<T>>, x.data(), J.data(), FN, FM,
                    M::forward);
  CHECK_ALL(T, "fn<> forward", J, want, FM * FN);
}

int main() {
  run<double>();
  run<float>();
  return report("jacobian");
}
