// C++: builtins declared extern "C" (variadic) and as templates
// (`template <typename R, typename... A> R __ad_autodiff(void*, A...)`, no
// argument promotion), differentiating function-template instances, the
// builtins called inside function templates, a function passed as a
// template parameter, static member functions, overloads picked with
// static_cast, struct results through the template declaration.
#include "check.h"
#include <cmath>
#include <fluxion/ad.h>

extern "C" double __enzyme_autodiff(void *, ...);
extern "C" double __enzyme_fwddiff(void *, ...);
template <typename R, typename... A> R __ad_autodiff(void *, A...);
template <typename R, typename... A> R __ad_fwddiff(void *, A...);

template <typename T> T poly(T x) { return x * x * x - T(2) * x + std::sin(x); }
static double dpoly(double x) { return 3.0 * x * x - 2.0 + std::cos(x); }
static double poly_d(double x) { return poly<double>(x); }

template <typename T, int N> T powN(T x) {
  T r = T(1);
  for (int i = 0; i < N; ++i)
    r *= x;
  return r;
}

// the builtins inside function templates, differentiating an instance
template <typename T> T grad_poly(T x) {
  return __ad_autodiff<T>((void *)poly<T>, x);
}
template <typename T> T tangent_poly(T x, T dx) {
  return __ad_fwddiff<T>((void *)poly<T>, x, dx);
}
template <typename T, int N> T grad_powN(T x) {
  return __ad_autodiff<T>((void *)&powN<T, N>, x);
}

// the differentiated function as a template parameter
template <double (*F)(double)> double rev(double x) {
  return __enzyme_autodiff((void *)F, x);
}
template <double (*F)(double)> double fwd(double x) {
  return __enzyme_fwddiff((void *)F, x, 1.0);
}
static double expsq(double x) { return std::exp(x) * x * x; }
static double dexpsq(double x) { return std::exp(x) * (x * x + 2.0 * x); }

struct Model {
  static double energy(double x, double k) {
    return 0.5 * k * x * x + std::cos(x);
  }
};

namespace ns {
double ovl(double x) { return x * x; }
float ovl(float x) { return x * x * x; }
} // namespace ns

struct G2 {
  double dx, dy;
};
struct G3f {
  float dx, dy, dz;
};
static double f2(double x, double y) { return x * std::log(y) + y * y; }
static float f3f(float x, float y, float z) { return x * y * z + std::exp(x); }

int main() {
  for (int i = 0; i < 3; ++i) {
    double x = -0.8 + 0.9 * i;
    float xf = float(x);
    double xfd = xf;

    CHECK_DERIV(__enzyme_autodiff((void *)poly<double>, x), dpoly(x),
                fd1(poly_d, x));
    CHECK_DERIV(__enzyme_fwddiff((void *)&poly<double>, x, 1.0), dpoly(x),
                fd1(poly_d, x));
    CHECK_DERIV(__ad_autodiff<double>((void *)poly<double>, x), dpoly(x),
                fd1(poly_d, x));
    CHECK_DERIV(__ad_fwddiff<double>((void *)poly<double>, x, 1.0), dpoly(x),
                fd1(poly_d, x));
    // float through the template declaration: not promoted
    CHECK_DERIV_F(__ad_autodiff<float>((void *)poly<float>, xf), dpoly(xfd),
                  NAN);
    CHECK_DERIV_F(__ad_fwddiff<float>((void *)poly<float>, xf, 1.0f),
                  dpoly(xfd), NAN);

    CHECK_DERIV(grad_poly(x), dpoly(x), fd1(poly_d, x));
    CHECK_DERIV(tangent_poly(x, 2.0), 2.0 * dpoly(x), 2.0 * fd1(poly_d, x));
    CHECK_DERIV_F(grad_poly(xf), dpoly(xfd), NAN);
    CHECK_DERIV_F(tangent_poly(xf, 2.0f), 2.0 * dpoly(xfd), NAN);
    CHECK_DERIV((grad_powN<double, 5>(x)), 5.0 * std::pow(x, 4), NAN);
    CHECK_DERIV_F((grad_powN<float, 3>(xf)), 3.0 * xfd * xfd, NAN);

    CHECK_DERIV(rev<expsq>(x), dexpsq(x), fd1(expsq, x));
    CHECK_DERIV(fwd<expsq>(x), dexpsq(x), fd1(expsq, x));
    CHECK_DERIV(rev<poly<double>>(x), dpoly(x), fd1(poly_d, x));

    CHECK_DERIV(__ad_autodiff<double>((void *)&Model::energy, x, ad_const, 2.5),
                2.5 * x - std::sin(x), NAN);
    CHECK_DERIV(__enzyme_fwddiff((void *)&Model::energy, x, 1.0, 2.5, 0.0),
                2.5 * x - std::sin(x), NAN);
    CHECK_DERIV(
        __ad_autodiff<double>((void *)Model::energy, ad_const, x, ad_out, 2.5),
        0.5 * x * x, NAN);

    CHECK_DERIV(
        __enzyme_autodiff((void *)static_cast<double (*)(double)>(ns::ovl), x),
        2.0 * x, NAN);
    CHECK_DERIV_F(__ad_autodiff<float>(
                      (void *)static_cast<float (*)(float)>(ns::ovl), xf),
                  3.0 * xfd * xfd, NAN);
    CHECK_DERIV_F(__ad_fwddiff<float>(
                      (void *)static_cast<float (*)(float)>(ns::ovl), xf, 1.0f),
                  3.0 * xfd * xfd, NAN);

    double y = 1.5 + i;
    G2 g = __ad_autodiff<G2>((void *)f2, x, y);
    CHECK_DERIV(g.dx, std::log(y), NAN);
    CHECK_DERIV(g.dy, x / y + 2.0 * y, NAN);
    g = __ad_autodiff<G2>((void *)f2, ad_out, x, ad_out, y);
    CHECK_DERIV(g.dx, std::log(y), NAN);
    CHECK_DERIV(g.dy, x / y + 2.0 * y, NAN);
    CHECK_DERIV(__ad_autodiff<double>((void *)f2, ad_const, x, y),
                x / y + 2.0 * y, NAN);

    float yf = float(y), zf = 0.25f;
    G3f h = __ad_autodiff<G3f>((void *)f3f, xf, yf, zf);
    CHECK_DERIV_F(h.dx, double(yf) * zf + std::exp(xfd), NAN);
    CHECK_DERIV_F(h.dy, xfd * zf, NAN);
    CHECK_DERIV_F(h.dz, xfd * yf, NAN);
  }
  return report();
}
