// The C++ API (fluxion/ad.hpp) on containers: gradient, value_and_grad,
// jvp, vjp, jacobian, hvp and hessian with std::vector, std::array and C
// arrays in place of pointer and sizes, for f over pointers (plain
// functions, fluxion::fn<>, lambdas) and for f over the container itself
// (T f(const std::vector<T> &), void f(const std::array<T, N> &,
// std::array<T, M> &)); outputs resized or size-checked; value_and_grad
// over pointers and containers. Checked against closed forms and central
// finite differences of the primal.
#include "check.h"
#include <fluxion/ad.hpp>

#include <array>
#include <cmath>
#include <stdexcept>
#include <vector>

constexpr size_t Size = 5, Outputs = 4;

// s(x) = sum_{i<n-1} sin(x_i) x_{i+1} + 0.5 sum_i x_i^2
template <class Data> auto scalar_of(const Data &x, size_t n) {
  auto s = 0.5 * x[0] * x[0];
  for (size_t i = 0; i + 1 < n; ++i)
    s += std::sin(x[i]) * x[i + 1] + 0.5 * x[i + 1] * x[i + 1];
  return s;
}
double scalar_ptr(const double *x) { return scalar_of(x, Size); }
float scalar_ptr_float(const float *x) { return scalar_of(x, Size); }
double scalar_vector(const std::vector<double> &x) {
  return scalar_of(x, x.size());
}
double scalar_copy(std::vector<double> x) { return scalar_of(x, x.size()); }
double scalar_array(const std::array<double, Size> &x) {
  return scalar_of(x, Size);
}

double closed_grad(const double *x, size_t k) {
  double g = x[k];
  if (k + 1 < Size)
    g += std::cos(x[k]) * x[k + 1];
  if (k > 0)
    g += std::sin(x[k - 1]);
  return g;
}
double closed_hess(const double *x, size_t r, size_t c) {
  if (r == c)
    return 1 - (r + 1 < Size ? std::sin(x[r]) * x[r + 1] : 0.0);
  if (r + 1 == c)
    return std::cos(x[r]);
  if (c + 1 == r)
    return std::cos(x[c]);
  return 0;
}

// y_i = x_i x_{i+1} + exp(0.1 x_i), i < Outputs
template <class In, class Out> void map_of(const In &x, Out &y) {
  for (size_t i = 0; i < Outputs; ++i)
    y[i] = x[i] * x[i + 1] + std::exp(0.1 * x[i]);
}
void map_ptr(const double *x, double *y) { map_of(x, y); }
void map_vector(const std::vector<double> &x, std::vector<double> &y) {
  map_of(x, y);
}
double closed_jac(const double *x, size_t r, size_t c) {
  if (c == r)
    return x[r + 1] + 0.1 * std::exp(0.1 * x[r]);
  if (c == r + 1)
    return x[r];
  return 0;
}

double fd_partial(double (*f)(const double *), const double *x, size_t k) {
  double xp[Size], xm[Size];
  double h = 1e-6 * std::fmax(1.0, std::fabs(x[k]));
  for (size_t i = 0; i < Size; ++i)
    xp[i] = xm[i] = x[i];
  xp[k] += h;
  xm[k] -= h;
  return (f(xp) - f(xm)) / (2 * h);
}
double fd_jac(const double *x, size_t r, size_t c) {
  double xp[Size], xm[Size], yp[Outputs], ym[Outputs];
  double h = 1e-6 * std::fmax(1.0, std::fabs(x[c]));
  for (size_t i = 0; i < Size; ++i)
    xp[i] = xm[i] = x[i];
  xp[c] += h;
  xm[c] -= h;
  map_ptr(xp, yp);
  map_ptr(xm, ym);
  return (yp[r] - ym[r]) / (2 * h);
}

template <class Grad>
void check_grad(const char *what, const double *x, const Grad &g) {
  if (std::size(g) != Size) {
    printf("FAIL %s: %zu elements\n", what, size_t(std::size(g)));
    ++check_failures_;
    return;
  }
  for (size_t k = 0; k < Size; ++k)
    check_deriv_(__FILE__, __LINE__, what, double(g[k]), closed_grad(x, k),
                 fd_partial(scalar_ptr, x, k), sizeof(g[k]) == sizeof(float));
}

int main() {
  std::vector<double> x(Size);
  for (size_t i = 0; i < Size; ++i)
    x[i] = 0.4 + 0.3 * i - 0.05 * i * i;
  const double *xp = x.data();
  double fx = scalar_ptr(xp);

  // gradient: f over pointers, with std::vector, std::array, C arrays.
  {
    std::vector<double> g; // resized
    fluxion::gradient(scalar_ptr, x, g);
    check_grad("gradient(plain, vector)", xp, g);
    std::vector<double> stale(2, 99.0); // resized and zeroed
    fluxion::gradient(fluxion::fn<scalar_ptr>, x, stale);
    check_grad("gradient(fn, vector)", xp, stale);
    double scale = 1.0;
    auto lambda = [&scale](const double *p) { return scale * scalar_ptr(p); };
    std::array<double, Size> xa, ga;
    for (size_t i = 0; i < Size; ++i)
      xa[i] = x[i];
    fluxion::gradient(lambda, xa, ga);
    check_grad("gradient(lambda, array)", xp, ga);
    double xc[Size], gc[Size];
    for (size_t i = 0; i < Size; ++i)
      xc[i] = x[i];
    fluxion::gradient(scalar_ptr, xc, gc);
    check_grad("gradient(plain, C array)", xp, gc);
    std::vector<float> xf(x.begin(), x.end()), gf;
    fluxion::gradient(scalar_ptr_float, xf, gf);
    check_grad("gradient(float, vector)", xp, gf);
  }

  // gradient: f over the container.
  {
    std::vector<double> g;
    fluxion::gradient(scalar_vector, x, g);
    check_grad("gradient(f(vector), vector)", xp, g);
    double scale = 1.0;
    auto lambda = [&scale](const std::vector<double> &p) {
      return scale * scalar_vector(p);
    };
    std::vector<double> stale(7, 99.0);
    fluxion::gradient(lambda, x, stale);
    check_grad("gradient(lambda(vector), vector)", xp, stale);
    std::array<double, Size> xa, ga;
    for (size_t i = 0; i < Size; ++i)
      xa[i] = x[i];
    fluxion::gradient(scalar_array, xa, ga);
    check_grad("gradient(f(array), array)", xp, ga);
    // A function of a copy goes through fluxion::fn (a plain function is
    // called with the container's address).
    fluxion::gradient(fluxion::fn<scalar_copy>, x, g);
    check_grad("gradient(fn<f(vector copy)>, vector)", xp, g);
  }

  // value_and_grad over pointers and containers.
  {
    double g[Size];
    check_deriv_(__FILE__, __LINE__, "value_and_grad(plain) value",
                 fluxion::value_and_grad(scalar_ptr, xp, g, Size), fx, NAN, 0);
    check_grad("value_and_grad(plain)", xp, g);
    auto lambda = [](const double *p) { return scalar_ptr(p); };
    check_deriv_(__FILE__, __LINE__, "value_and_grad(lambda) value",
                 fluxion::value_and_grad(lambda, xp, g, Size), fx, NAN, 0);
    check_grad("value_and_grad(lambda)", xp, g);
    std::vector<double> gv;
    check_deriv_(__FILE__, __LINE__, "value_and_grad(f(vector)) value",
                 fluxion::value_and_grad(scalar_vector, x, gv), fx, NAN, 0);
    check_grad("value_and_grad(f(vector))", xp, gv);
    auto lambda_vector = [](const std::vector<double> &p) {
      return scalar_vector(p);
    };
    check_deriv_(__FILE__, __LINE__, "value_and_grad(lambda(vector)) value",
                 fluxion::value_and_grad(lambda_vector, x, gv), fx, NAN, 0);
    check_grad("value_and_grad(lambda(vector))", xp, gv);
  }

  // jvp and vjp: f over pointers and over vectors.
  {
    std::vector<double> v(Size), u(Outputs), y(Outputs), jv, jtu;
    for (size_t i = 0; i < Size; ++i)
      v[i] = 0.5 - 0.2 * i;
    for (size_t i = 0; i < Outputs; ++i)
      u[i] = 1.0 + 0.3 * i;
    for (int variant = 0; variant < 3; ++variant) {
      std::fill(y.begin(), y.end(), 0.0);
      jv.clear();
      jtu.assign(2, 99.0);
      if (variant == 0) {
        fluxion::jvp(map_ptr, x, v, y, jv);
        fluxion::vjp(map_ptr, x, u, y, jtu);
      } else if (variant == 1) {
        fluxion::jvp(map_vector, x, v, y, jv);
        fluxion::vjp(map_vector, x, u, y, jtu);
      } else {
        auto lambda = [](const std::vector<double> &in,
                         std::vector<double> &out) { map_vector(in, out); };
        fluxion::jvp(lambda, x, v, y, jv);
        fluxion::vjp(lambda, x, u, y, jtu);
      }
      double want_y[Outputs];
      map_ptr(xp, want_y);
      for (size_t r = 0; r < Outputs; ++r) {
        double closed = 0, fd = 0;
        for (size_t c = 0; c < Size; ++c) {
          closed += closed_jac(xp, r, c) * v[c];
          fd += fd_jac(xp, r, c) * v[c];
        }
        CHECK_DERIV(jv[r], closed, fd);
        CHECK_DERIV(y[r], want_y[r], NAN);
      }
      for (size_t c = 0; c < Size; ++c) {
        double closed = 0, fd = 0;
        for (size_t r = 0; r < Outputs; ++r) {
          closed += closed_jac(xp, r, c) * u[r];
          fd += fd_jac(xp, r, c) * u[r];
        }
        CHECK_DERIV(jtu[c], closed, fd);
      }
    }
    // std::array over std::array.
    std::array<double, Size> xa, va;
    std::array<double, Outputs> ya, jva;
    for (size_t i = 0; i < Size; ++i) {
      xa[i] = x[i];
      va[i] = v[i];
    }
    fluxion::jvp([](const std::array<double, Size> &in,
                    std::array<double, Outputs> &out) { map_of(in, out); },
                 xa, va, ya, jva);
    for (size_t r = 0; r < Outputs; ++r) {
      double closed = 0;
      for (size_t c = 0; c < Size; ++c)
        closed += closed_jac(xp, r, c) * v[c];
      CHECK_DERIV(jva[r], closed, NAN);
    }
  }

  // jacobian, hvp, hessian over vectors.
  {
    std::vector<double> jac, hess, hv, v(Size);
    for (size_t i = 0; i < Size; ++i)
      v[i] = 0.3 + 0.1 * i;
    for (fluxion::jacobian_mode mode :
         {fluxion::jacobian_mode::forward, fluxion::jacobian_mode::reverse}) {
      fluxion::jacobian(fluxion::fn<map_ptr>, x, jac, Outputs, mode);
      for (size_t r = 0; r < Outputs; ++r)
        for (size_t c = 0; c < Size; ++c)
          CHECK_DERIV(jac[r * Size + c], closed_jac(xp, r, c),
                      fd_jac(xp, r, c));
    }
    fluxion::hessian(fluxion::fn<scalar_ptr>, x, hess);
    fluxion::hvp([](const double *p) { return scalar_ptr(p); }, x, v, hv);
    for (size_t r = 0; r < Size; ++r) {
      double want = 0;
      for (size_t c = 0; c < Size; ++c) {
        CHECK_DERIV(hess[r * Size + c], closed_hess(xp, r, c), NAN);
        want += closed_hess(xp, r, c) * v[c];
      }
      CHECK_DERIV(hv[r], want, NAN);
    }
  }

  // An output that cannot be resized must have the right size.
  {
    std::array<double, Size + 1> wrong;
    bool threw = false;
    try {
      fluxion::gradient(scalar_ptr, x, wrong);
    } catch (const std::invalid_argument &) {
      threw = true;
    }
    check_close_(__FILE__, __LINE__, "size mismatch throws", threw, 1, 0, 0);
  }
  return report();
}
