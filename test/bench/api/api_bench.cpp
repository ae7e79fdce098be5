// Derivative cost relative to the primal for the C++ API: JVP, VJP /
// gradient, width-8 vector JVP and HVP on a 100x100 dense tanh layer,
// Rosenbrock (n = 1000), logsumexp (10 000 values) and an RK4 integration
// of 10 states over 1000 steps; batched_jacobian with 1 and 2 threads; the
// Jacobian of a 64 -> 64 map by width-8 vector mode and by 64 scalar JVPs.
// Ratios are medians of the repetitions divided by the primal's median.
#include <benchmark/benchmark.h>
#include <fluxion/ad.hpp>

#include <cmath>
#include <vector>

namespace {

std::vector<double> filled(size_t n, double scale) {
  std::vector<double> v(n);
  for (size_t i = 0; i < n; ++i)
    v[i] = scale * std::sin(0.37 * double(i) + 0.1);
  return v;
}

// --- problems --------------------------------------------------------------
struct Dense { // y = tanh(W x + b), 100 x 100
  static constexpr size_t n = 100, m = 100;
  std::vector<double> W = filled(n * m, 0.1), b = filled(m, 0.5);
  void operator()(const double *x, double *y) const {
    for (size_t i = 0; i < m; ++i) {
      double s = b[i];
      for (size_t j = 0; j < n; ++j)
        s += W[i * n + j] * x[j];
      y[i] = std::tanh(s);
    }
  }
};
struct Rosen {
  static constexpr size_t n = 1000;
  double operator()(const double *x) const {
    double s = 0;
    for (size_t i = 0; i + 1 < n; ++i) {
      double a = x[i + 1] - x[i] * x[i], c = 1 - x[i];
      s += 100 * a * a + c * c;
    }
    return s;
  }
};
struct LogSumExp {
  static constexpr size_t n = 10000;
  double operator()(const double *x) const {
    double mx = x[0];
    for (size_t i = 1; i < n; ++i)
      mx = x[i] > mx ? x[i] : mx;
    double s = 0;
    for (size_t i = 0; i < n; ++i)
      s += std::exp(x[i] - mx);
    return mx + std::log(s);
  }
};
struct RK4 { // 10 coupled oscillators, 1000 steps: x0 -> x_T
  static constexpr size_t n = 10, m = 10, steps = 1000;
  static void rhs(const double *u, double *du) {
    for (size_t i = 0; i < n; ++i)
      du[i] = -std::sin(u[i]) + 0.1 * (u[(i + 1) % n] - u[i]);
  }
  void operator()(const double *x, double *y) const {
    const double h = 0.01;
    double u[n], k1[n], k2[n], k3[n], k4[n], t[n];
    for (size_t i = 0; i < n; ++i)
      u[i] = x[i];
    for (size_t s = 0; s < steps; ++s) {
      rhs(u, k1);
      for (size_t i = 0; i < n; ++i)
        t[i] = u[i] + 0.5 * h * k1[i];
      rhs(t, k2);
      for (size_t i = 0; i < n; ++i)
        t[i] = u[i] + 0.5 * h * k2[i];
      rhs(t, k3);
      for (size_t i = 0; i < n; ++i)
        t[i] = u[i] + h * k3[i];
      rhs(t, k4);
      for (size_t i = 0; i < n; ++i)
        u[i] += h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
    }
    for (size_t i = 0; i < n; ++i)
      y[i] = u[i];
  }
};
// A scalar function seen as a map to one output, for its JVPs.
template <class S> struct AsMap {
  S s;
  void operator()(const double *x, double *y) const { y[0] = s(x); }
};

// --- map benchmarks ----------------------------------------------------------
template <class F> void map_primal(benchmark::State &st) {
  F f;
  auto x = filled(F::n, 0.3);
  std::vector<double> y(F::m);
  for (auto _ : st) {
    f(x.data(), y.data());
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
}
template <class F> void map_jvp(benchmark::State &st) {
  F f;
  auto x = filled(F::n, 0.3), v = filled(F::n, 1.0);
  std::vector<double> y(F::m), jv(F::m);
  for (auto _ : st) {
    fluxion::jvp(f, x.data(), v.data(), y.data(), jv.data(), F::n, F::m);
    benchmark::DoNotOptimize(jv.data());
    benchmark::ClobberMemory();
  }
}
template <class F> void map_vjp(benchmark::State &st) {
  F f;
  auto x = filled(F::n, 0.3), u = filled(F::m, 1.0);
  std::vector<double> y(F::m), g(F::n);
  for (auto _ : st) {
    fluxion::vjp(f, x.data(), u.data(), y.data(), g.data(), F::n, F::m);
    benchmark::DoNotOptimize(g.data());
    benchmark::ClobberMemory();
  }
}
// One width-8 vector forward pass: 8 directional derivatives.
template <class F, size_t N = F::n, size_t M = F::m>
void map_jvp8(benchmark::State &st) {
  F f;
  auto x = filled(N, 0.3);
  std::vector<std::vector<double>> v(8, filled(N, 1.0)),
      jv(8, std::vector<double>(M));
  const double *vp[8];
  double *jp[8];
  for (int k = 0; k < 8; ++k) {
    vp[k] = v[k].data();
    jp[k] = jv[k].data();
  }
  std::vector<double> y(M);
  for (auto _ : st) {
    fluxion::detail::kernel_jvp_vec<F, double, 8>(&f, x.data(), vp, y.data(),
                                                  jp);
    benchmark::DoNotOptimize(jp[7]);
    benchmark::ClobberMemory();
  }
}

// --- scalar benchmarks -------------------------------------------------------
template <class S> void scalar_primal(benchmark::State &st) {
  S f;
  auto x = filled(S::n, 0.3);
  for (auto _ : st) {
    double r = f(x.data());
    benchmark::DoNotOptimize(r);
  }
}
template <class S> void scalar_grad(benchmark::State &st) {
  S f;
  auto x = filled(S::n, 0.3);
  std::vector<double> g(S::n);
  for (auto _ : st) {
    fluxion::gradient(f, x.data(), g.data(), S::n);
    benchmark::DoNotOptimize(g.data());
    benchmark::ClobberMemory();
  }
}
template <class S> void scalar_jvp(benchmark::State &st) {
  AsMap<S> f;
  auto x = filled(S::n, 0.3), v = filled(S::n, 1.0);
  double y, jv;
  for (auto _ : st) {
    fluxion::jvp(f, x.data(), v.data(), &y, &jv, S::n, 1);
    benchmark::DoNotOptimize(jv);
  }
}
template <class S> void scalar_hvp(benchmark::State &st) {
  S f;
  auto x = filled(S::n, 0.3), v = filled(S::n, 1.0);
  std::vector<double> hv(S::n);
  for (auto _ : st) {
    fluxion::hvp(f, x.data(), v.data(), hv.data(), S::n);
    benchmark::DoNotOptimize(hv.data());
    benchmark::ClobberMemory();
  }
}

BENCHMARK(map_primal<Dense>);
BENCHMARK(map_jvp<Dense>);
BENCHMARK(map_vjp<Dense>);
BENCHMARK(map_jvp8<Dense>);
BENCHMARK(scalar_primal<Rosen>);
BENCHMARK(scalar_jvp<Rosen>);
BENCHMARK(scalar_grad<Rosen>);
BENCHMARK(map_jvp8<AsMap<Rosen>, Rosen::n, 1>);
BENCHMARK(scalar_hvp<Rosen>);
BENCHMARK(scalar_primal<LogSumExp>);
BENCHMARK(scalar_jvp<LogSumExp>);
BENCHMARK(scalar_grad<LogSumExp>);
BENCHMARK(map_jvp8<AsMap<LogSumExp>, LogSumExp::n, 1>);
BENCHMARK(scalar_hvp<LogSumExp>);
BENCHMARK(map_primal<RK4>);
BENCHMARK(map_jvp<RK4>);
BENCHMARK(map_vjp<RK4>);
BENCHMARK(map_jvp8<RK4>);

// --- batched Jacobian and the 64 -> 64 Jacobian ------------------------------
struct Small { // one sample: 32 -> 32 tanh layer
  static constexpr size_t n = 32, m = 32;
  std::vector<double> W = filled(n * m, 0.2);
  void operator()(const double *x, double *y) const {
    for (size_t i = 0; i < m; ++i) {
      double s = 0;
      for (size_t j = 0; j < n; ++j)
        s += W[i * n + j] * x[j];
      y[i] = std::tanh(s);
    }
  }
};
void batched(benchmark::State &st) {
  fluxion::set_num_threads(static_cast<unsigned>(st.range(0)));
  Small f;
  const size_t B = 256;
  auto X = filled(B * Small::n, 0.5);
  std::vector<double> J(B * Small::m * Small::n);
  for (auto _ : st) {
    fluxion::batched_jacobian(f, X.data(), J.data(), Small::n, Small::m, B);
    benchmark::DoNotOptimize(J.data());
    benchmark::ClobberMemory();
  }
  fluxion::set_num_threads(0);
}
BENCHMARK(batched)->Arg(1)->Arg(2)->UseRealTime();

struct Map64 {
  static constexpr size_t n = 64, m = 64;
  void operator()(const double *x, double *y) const {
    for (size_t i = 0; i < m; ++i) {
      double s = 0;
      for (size_t j = 0; j < n; ++j)
        s += std::cos(double(i + j)) * x[j];
      y[i] = std::sin(s) * x[i];
    }
  }
};
template <unsigned W> void jacobian64(benchmark::State &st) {
  Map64 f;
  auto x = filled(64, 0.5);
  std::vector<double> J(64 * 64);
  for (auto _ : st) {
    fluxion::jacobian<W>(f, x.data(), J.data(), 64, 64,
                         fluxion::jacobian_mode::forward);
    benchmark::DoNotOptimize(J.data());
    benchmark::ClobberMemory();
  }
}
BENCHMARK(jacobian64<8>);
BENCHMARK(jacobian64<1>);

} // namespace

BENCHMARK_MAIN();
