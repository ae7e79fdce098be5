// The C++ API (fluxion/ad.hpp) with an activity per argument, as
// fluxion::cuda::gradient takes a kernel's: gradient, value_and_grad and
// tangent of functions of several arrays and scalars, each argument passed
// as fluxion::constant(v), fluxion::dup(p, shadow) or
// fluxion::active(v, &adjoint). Plain functions, fluxion::fn<>, function
// pointers, lambdas with captures (the captured data constant, the
// parameters with the activities given), generic lambdas, float, functions
// that return void (seeded through their outputs' shadows) and parameters
// taken by reference. Checked against closed forms and central finite
// differences of the primal.
#include "check.h"
#include <fluxion/ad.hpp>

#include <cmath>
#include <cstddef>
#include <vector>

constexpr int Count = 4;

// f(x, n, w, s) = s sum_i w_i sin(x_i) + s^2 sum_i x_i w_i^2, i < n
double weighted(const double *x, int n, const double *w, double s) {
  double sines = 0, squares = 0;
  for (int i = 0; i < n; ++i) {
    sines += w[i] * std::sin(x[i]);
    squares += x[i] * w[i] * w[i];
  }
  return s * sines + s * s * squares;
}
float weighted_float(const float *x, int n, const float *w, float s) {
  float sines = 0, squares = 0;
  for (int i = 0; i < n; ++i) {
    sines += w[i] * std::sin(x[i]);
    squares += x[i] * w[i] * w[i];
  }
  return s * sines + s * s * squares;
}
double closed_dx(const double *x, const double *w, double s, int i) {
  return s * w[i] * std::cos(x[i]) + s * s * w[i] * w[i];
}
double closed_dw(const double *x, const double *w, double s, int i) {
  return s * std::sin(x[i]) + 2 * s * s * x[i] * w[i];
}
double closed_ds(const double *x, const double *w, double s) {
  double sines = 0, squares = 0;
  for (int i = 0; i < Count; ++i) {
    sines += w[i] * std::sin(x[i]);
    squares += x[i] * w[i] * w[i];
  }
  return sines + 2 * s * squares;
}

// Central difference of g(t) at t = 0, g a function of a step along one
// coordinate or direction.
template <class Step> double central(const Step &g, double scale) {
  double h = 1e-6 * (std::fabs(scale) > 1 ? std::fabs(scale) : 1.0);
  return (g(h) - g(-h)) / (2 * h);
}
// f's partial derivatives by central differences: along x_i, w_i and s.
double fd_dx(const double *x, const double *w, double s, int i) {
  return central(
      [&](double h) {
        double moved[Count];
        for (int k = 0; k < Count; ++k)
          moved[k] = x[k] + (k == i ? h : 0.0);
        return weighted(moved, Count, w, s);
      },
      x[i]);
}
double fd_dw(const double *x, const double *w, double s, int i) {
  return central(
      [&](double h) {
        double moved[Count];
        for (int k = 0; k < Count; ++k)
          moved[k] = w[k] + (k == i ? h : 0.0);
        return weighted(x, Count, moved, s);
      },
      w[i]);
}
double fd_ds(const double *x, const double *w, double s) {
  return central([&](double h) { return weighted(x, Count, w, s + h); }, s);
}

// y_i = x_i^2 w_i + sin(x_i), i < n: a function that returns void.
void map_out(const double *x, const double *w, double *y, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    y[i] = x[i] * x[i] * w[i] + std::sin(x[i]);
}

// A function of a container taken by reference.
double sum_cubes(const std::vector<double> &v, double s) {
  double total = 0;
  for (double e : v)
    total += e * e * e;
  return s * total;
}

double dot(const double *a, const double *b) {
  double total = 0;
  for (int i = 0; i < Count; ++i)
    total += a[i] * b[i] * b[i];
  return total;
}

int main() {
  double x[Count], w[Count];
  for (int i = 0; i < Count; ++i) {
    x[i] = 0.3 + 0.4 * i;
    w[i] = 1.1 - 0.35 * i;
  }
  const double s = 0.7;
  const double fx = weighted(x, Count, w, s);

  // Two arrays with their shadows, an int constant, an active scalar.
  {
    double dx[Count] = {}, dw[Count] = {}, ds = 0;
    fluxion::gradient(weighted, fluxion::dup(x, dx), fluxion::constant(Count),
                      fluxion::dup(w, dw), fluxion::active(s, &ds));
    for (int i = 0; i < Count; ++i) {
      CHECK_DERIV(dx[i], closed_dx(x, w, s, i), fd_dx(x, w, s, i));
      CHECK_DERIV(dw[i], closed_dw(x, w, s, i), fd_dw(x, w, s, i));
    }
    CHECK_DERIV(ds, closed_ds(x, w, s), fd_ds(x, w, s));

    // dup and active add to what is there (the caller zeroes or seeds).
    fluxion::gradient(weighted, fluxion::dup(x, dx), fluxion::constant(Count),
                      fluxion::dup(w, dw), fluxion::active(s, &ds));
    for (int i = 0; i < Count; ++i) {
      CHECK_DERIV(dx[i], 2 * closed_dx(x, w, s, i), NAN);
      CHECK_DERIV(dw[i], 2 * closed_dw(x, w, s, i), NAN);
    }
    CHECK_DERIV(ds, 2 * closed_ds(x, w, s), NAN);

    // constant arrays and scalars get nothing; their values are used.
    double dx2[Count] = {};
    fluxion::gradient(weighted, fluxion::dup(x, dx2), fluxion::constant(Count),
                      fluxion::constant(w), fluxion::constant(s));
    for (int i = 0; i < Count; ++i)
      CHECK_DERIV(dx2[i], closed_dx(x, w, s, i), fd_dx(x, w, s, i));

    // A shorter n: the constant size is what f sees.
    double dx3[Count] = {}, dw3[Count] = {};
    fluxion::gradient(weighted, fluxion::dup(x, dx3), fluxion::constant(2),
                      fluxion::dup(w, dw3), fluxion::constant(s));
    for (int i = 0; i < Count; ++i) {
      CHECK_DERIV(dx3[i], i < 2 ? closed_dx(x, w, s, i) : 0.0, NAN);
      CHECK_DERIV(dw3[i], i < 2 ? closed_dw(x, w, s, i) : 0.0, NAN);
    }
  }

  // value_and_grad: f's value from the same reverse pass.
  {
    double dx[Count] = {}, dw[Count] = {}, ds = 0;
    double value = fluxion::value_and_grad(
        weighted, fluxion::dup(x, dx), fluxion::constant(Count),
        fluxion::dup(w, dw), fluxion::active(s, &ds));
    CHECK_DERIV(value, fx, NAN);
    for (int i = 0; i < Count; ++i) {
      CHECK_DERIV(dx[i], closed_dx(x, w, s, i), fd_dx(x, w, s, i));
      CHECK_DERIV(dw[i], closed_dw(x, w, s, i), fd_dw(x, w, s, i));
    }
    CHECK_DERIV(ds, closed_ds(x, w, s), fd_ds(x, w, s));

    // No active argument: the value alone comes back.
    double dx2[Count] = {};
    double value2 = fluxion::value_and_grad(
        weighted, fluxion::dup(x, dx2), fluxion::constant(Count),
        fluxion::constant(w), fluxion::constant(s));
    CHECK_DERIV(value2, fx, NAN);
    CHECK_DERIV(dx2[1], closed_dx(x, w, s, 1), NAN);

    // Several active scalars of mixed precision, and the value.
    double da = 0, dc = 0;
    float db = 0;
    auto product = [](double a, float b, double c) {
      return a * b * c + std::exp(a - c);
    };
    double a = 0.8, c = 1.3;
    float b = 1.5f;
    double value3 = fluxion::value_and_grad(product, fluxion::active(a, &da),
                                            fluxion::active(b, &db),
                                            fluxion::active(c, &dc));
    CHECK_DERIV(value3, product(a, b, c), NAN);
    CHECK_DERIV(da, b * c + std::exp(a - c),
                central([&](double h) { return product(a + h, b, c); }, a));
    CHECK_DERIV_F(db, a * c, NAN);
    CHECK_DERIV(dc, a * b - std::exp(a - c),
                central([&](double h) { return product(a, b, c + h); }, c));
  }

  // Forward mode: the tangent along the shadows of the dup arguments.
  {
    double vx[Count], vw[Count];
    for (int i = 0; i < Count; ++i) {
      vx[i] = 0.5 - 0.3 * i;
      vw[i] = 0.2 + 0.1 * i;
    }
    double t = fluxion::tangent(weighted, fluxion::dup(x, vx),
                                fluxion::constant(Count), fluxion::dup(w, vw),
                                fluxion::constant(s));
    double closed = 0;
    for (int i = 0; i < Count; ++i)
      closed += closed_dx(x, w, s, i) * vx[i] + closed_dw(x, w, s, i) * vw[i];
    double fd = central(
        [&](double h) {
          double xs[Count], ws[Count];
          for (int k = 0; k < Count; ++k) {
            xs[k] = x[k] + h * vx[k];
            ws[k] = w[k] + h * vw[k];
          }
          return weighted(xs, Count, ws, s);
        },
        1.0);
    CHECK_DERIV(t, closed, fd);
    // Only x moves.
    double tx = fluxion::tangent(weighted, fluxion::dup(x, vx),
                                 fluxion::constant(Count), fluxion::constant(w),
                                 fluxion::constant(s));
    closed = 0;
    for (int i = 0; i < Count; ++i)
      closed += closed_dx(x, w, s, i) * vx[i];
    CHECK_DERIV(tx, closed, NAN);
  }

  // A lambda with captures: the captured data is constant, the parameters
  // to differentiate are passed explicitly.
  {
    std::vector<double> targets{0.5, -0.25, 1.0, 0.75};
    double decay = 0.1;
    auto loss = [&](const double *weights, const double *inputs) {
      double total = 0;
      for (int i = 0; i < Count; ++i) {
        double r = weights[i] * inputs[i] - targets[i];
        total += r * r + decay * weights[i] * weights[i];
      }
      return total;
    };
    double dweights[Count] = {};
    fluxion::gradient(loss, fluxion::dup(w, dweights), fluxion::constant(x));
    double dinputs[Count] = {}, dweights2[Count] = {};
    double value = fluxion::value_and_grad(loss, fluxion::dup(w, dweights2),
                                           fluxion::dup(x, dinputs));
    CHECK_DERIV(value, loss(w, x), NAN);
    for (int i = 0; i < Count; ++i) {
      double r = w[i] * x[i] - targets[i];
      double fd_w = central(
          [&](double h) {
            double moved[Count];
            for (int k = 0; k < Count; ++k)
              moved[k] = w[k] + (k == i ? h : 0.0);
            return loss(moved, x);
          },
          w[i]);
      CHECK_DERIV(dweights[i], 2 * r * x[i] + 2 * decay * w[i], fd_w);
      CHECK_DERIV(dweights2[i], 2 * r * x[i] + 2 * decay * w[i], fd_w);
      CHECK_DERIV(dinputs[i], 2 * r * w[i], NAN);
    }
    CHECK_TRUE(targets[0] == 0.5 && decay == 0.1);

    // The same with the captured scalar passed explicitly as active.
    auto loss_decay = [&](const double *weights, double rate) {
      double total = 0;
      for (int i = 0; i < Count; ++i) {
        double r = weights[i] * x[i] - targets[i];
        total += r * r + rate * weights[i] * weights[i];
      }
      return total;
    };
    double dweights3[Count] = {}, drate = 0;
    fluxion::gradient(loss_decay, fluxion::dup(w, dweights3),
                      fluxion::active(decay, &drate));
    double closed_rate = 0;
    for (int i = 0; i < Count; ++i)
      closed_rate += w[i] * w[i];
    CHECK_DERIV(
        drate, closed_rate,
        central([&](double h) { return loss_decay(w, decay + h); }, decay));
    CHECK_DERIV(dweights3[2], dweights[2], NAN);

    // Forward mode through the lambda.
    double vw[Count] = {1, 0, 0, 0};
    double t =
        fluxion::tangent(loss, fluxion::dup(w, vw), fluxion::constant(x));
    CHECK_DERIV(t, dweights[0], NAN);
  }

  // Other callables: fluxion::fn<f>, function pointers, a generic lambda.
  {
    double da[Count] = {}, db[Count] = {}, dc[Count] = {}, dd[Count] = {};
    fluxion::gradient(fluxion::fn<dot>, fluxion::dup(x, da),
                      fluxion::constant(w));
    double (*pointer)(const double *, const double *) = dot;
    fluxion::gradient(pointer, fluxion::dup(x, db), fluxion::constant(w));
    fluxion::gradient(&dot, fluxion::dup(x, dc), fluxion::constant(w));
    auto generic = [](const auto *a, const auto *b) { return dot(a, b); };
    fluxion::gradient(generic, fluxion::dup(x, dd), fluxion::constant(w));
    for (int i = 0; i < Count; ++i) {
      CHECK_DERIV(da[i], w[i] * w[i], NAN);
      CHECK_DERIV(db[i], w[i] * w[i], NAN);
      CHECK_DERIV(dc[i], w[i] * w[i], NAN);
      CHECK_DERIV(dd[i], w[i] * w[i], NAN);
    }
    double dw[Count] = {};
    double value = fluxion::value_and_grad(
        fluxion::fn<dot>, fluxion::constant(x), fluxion::dup(w, dw));
    CHECK_DERIV(value, dot(x, w), NAN);
    for (int i = 0; i < Count; ++i)
      CHECK_DERIV(dw[i], 2 * x[i] * w[i], NAN);
  }

  // float.
  {
    float xf[Count], wf[Count], dxf[Count] = {}, dwf[Count] = {}, dsf = 0;
    for (int i = 0; i < Count; ++i) {
      xf[i] = float(x[i]);
      wf[i] = float(w[i]);
    }
    float value = fluxion::value_and_grad(
        weighted_float, fluxion::dup(xf, dxf), fluxion::constant(Count),
        fluxion::dup(wf, dwf), fluxion::active(float(s), &dsf));
    CHECK_DERIV_F(value, fx, NAN);
    for (int i = 0; i < Count; ++i) {
      CHECK_DERIV_F(dxf[i], closed_dx(x, w, s, i), NAN);
      CHECK_DERIV_F(dwf[i], closed_dw(x, w, s, i), NAN);
    }
    CHECK_DERIV_F(dsf, closed_ds(x, w, s), NAN);
    float vf[Count] = {1, 0, 0, 0};
    float t = fluxion::tangent(weighted_float, fluxion::dup(xf, vf),
                               fluxion::constant(Count), fluxion::constant(wf),
                               fluxion::constant(float(s)));
    CHECK_DERIV_F(t, closed_dx(x, w, s, 0), NAN);
  }

  // A function that returns void: reverse mode is seeded through the
  // output's shadow (a vector-Jacobian product), forward mode writes the
  // output's tangent.
  {
    double y[Count], ybar[Count], dx[Count] = {}, dw[Count] = {};
    for (int i = 0; i < Count; ++i)
      ybar[i] = 1.0 + 0.5 * i;
    fluxion::gradient(map_out, fluxion::dup(x, dx), fluxion::dup(w, dw),
                      fluxion::dup(y, ybar),
                      fluxion::constant(std::size_t(Count)));
    for (int i = 0; i < Count; ++i) {
      double seed = 1.0 + 0.5 * i;
      CHECK_DERIV(y[i], x[i] * x[i] * w[i] + std::sin(x[i]), NAN);
      CHECK_DERIV(dx[i], seed * (2 * x[i] * w[i] + std::cos(x[i])), NAN);
      CHECK_DERIV(dw[i], seed * x[i] * x[i], NAN);
    }
    double vx[Count], ty[Count];
    for (int i = 0; i < Count; ++i)
      vx[i] = 0.3 * (i + 1);
    fluxion::tangent(map_out, fluxion::dup(x, vx), fluxion::constant(w),
                     fluxion::dup(y, ty),
                     fluxion::constant(std::size_t(Count)));
    for (int i = 0; i < Count; ++i)
      CHECK_DERIV(ty[i], (2 * x[i] * w[i] + std::cos(x[i])) * vx[i], NAN);
  }

  // Parameters taken by reference: dup(&v, &shadow) gives a container its
  // shadow container, constant(v) passes a copy.
  {
    std::vector<double> v(x, x + Count), dv(Count, 0.0);
    double ds = 0;
    fluxion::gradient(sum_cubes, fluxion::dup(&v, &dv),
                      fluxion::active(s, &ds));
    double cubes = 0;
    for (int i = 0; i < Count; ++i) {
      CHECK_DERIV(dv[i], 3 * s * x[i] * x[i], NAN);
      cubes += x[i] * x[i] * x[i];
    }
    CHECK_DERIV(ds, cubes, NAN);
    auto with_data = [](const std::vector<double> &data, const double *a) {
      return dot(a, data.data());
    };
    std::vector<double> data(w, w + Count);
    double da[Count] = {};
    fluxion::gradient(with_data, fluxion::constant(data), fluxion::dup(x, da));
    for (int i = 0; i < Count; ++i)
      CHECK_DERIV(da[i], w[i] * w[i], NAN);
  }

  return report();
}
