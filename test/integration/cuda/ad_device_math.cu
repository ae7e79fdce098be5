// Per-thread derivatives of CUDA's math in device code: the intrinsic
// functions that compile to NVVM intrinsics (__expf, __fdividef, __fmul_rn,
// rsqrtf, __saturatef, ...), libdevice functions with their own rows
// (rsqrt, rcbrt, sinpi, normcdf, erfinv, ...) and libdevice functions
// differentiated through their bodies (sincosf, with its range reduction).
// Each is checked in reverse and forward mode against the closed form of
// its derivative, relative 1e-5 in float (the GPU's approximate intrinsics
// are that close to the functions they approximate) and 1e-10 in double.
#include "builtins.cuh"
#include "check.cuh"

#include <type_traits>

/// The floating type a case takes and returns.
template <class Fn> struct Real;
template <class T> struct Real<T (*)(T)> { using Type = T; };

template <auto F>
__global__ void derivatives(typename Real<decltype(F)>::Type x,
                            typename Real<decltype(F)>::Type *out) {
  using T = typename Real<decltype(F)>::Type;
  if constexpr (std::is_same_v<T, float>) {
    out[0] = __enzyme_autodiff_f((void *)F, x);
    out[1] = __enzyme_fwddiff_f((void *)F, x, 1.0f);
  } else {
    out[0] = __enzyme_autodiff((void *)F, x);
    out[1] = __enzyme_fwddiff((void *)F, x, 1.0);
  }
}

#define FLOAT_CASE(name, expr)                                                 \
  __device__ float name(float x) { return expr; }
#define DOUBLE_CASE(name, expr)                                                \
  __device__ double name(double x) { return expr; }

FLOAT_CASE(fast_exp, __expf(x))
FLOAT_CASE(fast_log, __logf(x))
FLOAT_CASE(fast_sin, __sinf(x))
FLOAT_CASE(fast_cos, __cosf(x))
FLOAT_CASE(fast_pow, __powf(x, 2.5f))
FLOAT_CASE(fast_div, __fdividef(1.0f, x))
FLOAT_CASE(sqrt_rn, __fsqrt_rn(x))
FLOAT_CASE(mul_rn, __fmul_rn(x, x))
FLOAT_CASE(add_rz, __fadd_rz(x, __fmul_rz(x, x)))
FLOAT_CASE(fma_rn, __fmaf_rn(x, x, x))
FLOAT_CASE(rsqrt_f, rsqrtf(x))
FLOAT_CASE(rcp_rn, __frcp_rn(x))
FLOAT_CASE(saturate, __saturatef(x) * x)
FLOAT_CASE(min_f, fminf(x *x, 0.5f))
FLOAT_CASE(sinpi_f, sinpif(x))
FLOAT_CASE(normcdf_f, normcdff(x))
FLOAT_CASE(erfinv_f, erfinvf(x))
__device__ float sincos_f(float x) {
  float s, c;
  sincosf(x, &s, &c);
  return s * c;
}

DOUBLE_CASE(sqrt_rn_d, __dsqrt_rn(x))
DOUBLE_CASE(mul_rn_d, __dmul_rn(x, x))
DOUBLE_CASE(fma_rn_d, __fma_rn(x, x, 1.0))
DOUBLE_CASE(rcp_rn_d, __drcp_rn(x))
DOUBLE_CASE(div_rn_d, __ddiv_rn(1.0, x))
DOUBLE_CASE(rsqrt_d, rsqrt(x))
DOUBLE_CASE(rcbrt_d, rcbrt(x))
DOUBLE_CASE(sinpi_d, sinpi(x))
DOUBLE_CASE(cospi_d, cospi(x))
DOUBLE_CASE(normcdf_d, normcdf(x))
DOUBLE_CASE(normcdfinv_d, normcdfinv(x))
DOUBLE_CASE(erfinv_d, erfinv(x))
DOUBLE_CASE(erfcinv_d, erfcinv(x))
DOUBLE_CASE(erfcx_d, erfcx(x))
DOUBLE_CASE(asinh_d, asinh(x))
DOUBLE_CASE(acosh_d, acosh(x + 1.0))
DOUBLE_CASE(atanh_d, atanh(x))
DOUBLE_CASE(rhypot_d, rhypot(x, 2.0))
DOUBLE_CASE(norm3d_d, norm3d(x, 2.0, x *x))
DOUBLE_CASE(rnorm3d_d, rnorm3d(x, 2.0, x *x))
DOUBLE_CASE(ldexp_d, ldexp(x, 3))
DOUBLE_CASE(scalbn_d, scalbn(x, -2))
DOUBLE_CASE(fdim_d, fdim(x, 0.25))
DOUBLE_CASE(remainder_d, remainder(7.0 * x, 1.5))

/// The v in [-6, 6] at which increasing \p F is \p Y, by bisection.
template <class Fn> double inverse(Fn F, double Y) {
  double Lo = -6, Hi = 6;
  for (int Step = 0; Step < 200; ++Step) {
    double Mid = 0.5 * (Lo + Hi);
    (F(Mid) < Y ? Lo : Hi) = Mid;
  }
  return 0.5 * (Lo + Hi);
}

template <auto F>
void check(const char *name, typename Real<decltype(F)>::Type x, double want) {
  using T = typename Real<decltype(F)>::Type;
  const double tol = std::is_same_v<T, float> ? 1e-5 : 1e-10;
  T *out = device_array<T>(2);
  derivatives<F><<<1, 1>>>(x, out);
  LAUNCH_CHECK();
  std::vector<T> got = download(out, 2);
  CHECK_NEAR(got[0], want, tol);
  CHECK_NEAR(got[1], want, tol);
  if (std::fabs(got[0] - want) > tol * (1 + std::fabs(want)))
    fprintf(stderr, "  (%s)\n", name);
}

int main() {
  const double x = 0.375, pi = M_PI;
  const double normal = std::exp(-x * x / 2) / std::sqrt(2 * pi);
  // The inverses' values at x, for their derivatives.
  const double erfinv_x = inverse([](double v) { return std::erf(v); }, x);
  const double quantile =
      inverse([](double v) { return 0.5 * std::erfc(-v / std::sqrt(2.0)); }, x);
  const double erfcinv_x = inverse([](double v) { return -std::erfc(v); }, -x);
  check<fast_exp>("__expf", x, std::exp(x));
  check<fast_log>("__logf", x, 1 / x);
  check<fast_sin>("__sinf", x, std::cos(x));
  check<fast_cos>("__cosf", x, -std::sin(x));
  check<fast_pow>("__powf", x, 2.5 * std::pow(x, 1.5));
  check<fast_div>("__fdividef", x, -1 / (x * x));
  check<sqrt_rn>("__fsqrt_rn", x, 0.5 / std::sqrt(x));
  check<mul_rn>("__fmul_rn", x, 2 * x);
  check<add_rz>("__fadd_rz", x, 1 + 2 * x);
  check<fma_rn>("__fmaf_rn", x, 2 * x + 1);
  check<rsqrt_f>("rsqrtf", x, -0.5 * std::pow(x, -1.5));
  check<rcp_rn>("__frcp_rn", x, -1 / (x * x));
  check<saturate>("__saturatef", x, 2 * x);
  check<saturate>("__saturatef above 1", 1.5f, 1);
  check<min_f>("fminf", x, 2 * x);
  check<sinpi_f>("sinpif", x, pi * std::cos(pi * x));
  check<normcdf_f>("normcdff", x, normal);
  check<erfinv_f>("erfinvf", x,
                  std::sqrt(pi) / 2 * std::exp(erfinv_x * erfinv_x));
  check<sincos_f>("sincosf", x, std::cos(2 * x));

  check<sqrt_rn_d>("__dsqrt_rn", x, 0.5 / std::sqrt(x));
  check<mul_rn_d>("__dmul_rn", x, 2 * x);
  check<fma_rn_d>("__fma_rn", x, 2 * x);
  check<rcp_rn_d>("__drcp_rn", x, -1 / (x * x));
  check<div_rn_d>("__ddiv_rn", x, -1 / (x * x));
  check<rsqrt_d>("rsqrt", x, -0.5 * std::pow(x, -1.5));
  check<rcbrt_d>("rcbrt", x, -std::pow(x, -4.0 / 3) / 3);
  check<sinpi_d>("sinpi", x, pi * std::cos(pi * x));
  check<cospi_d>("cospi", x, -pi * std::sin(pi * x));
  check<normcdf_d>("normcdf", x, normal);
  check<normcdfinv_d>("normcdfinv", x,
                      std::sqrt(2 * pi) * std::exp(quantile * quantile / 2));
  check<erfinv_d>("erfinv", x,
                  std::sqrt(pi) / 2 * std::exp(erfinv_x * erfinv_x));
  check<erfcinv_d>("erfcinv", x,
                   -std::sqrt(pi) / 2 * std::exp(erfcinv_x * erfcinv_x));
  check<erfcx_d>("erfcx", x,
                 2 * x * std::exp(x * x) * std::erfc(x) - 2 / std::sqrt(pi));
  check<asinh_d>("asinh", x, 1 / std::sqrt(x * x + 1));
  check<acosh_d>("acosh", x, 1 / std::sqrt((x + 1) * (x + 1) - 1));
  check<atanh_d>("atanh", x, 1 / (1 - x * x));
  check<rhypot_d>("rhypot", x, -x * std::pow(x * x + 4, -1.5));
  check<norm3d_d>("norm3d", x,
                  (x + 2 * x * x * x) / std::sqrt(x * x + 4 + x * x * x * x));
  check<rnorm3d_d>("rnorm3d", x,
                   -(x + 2 * x * x * x) *
                       std::pow(x * x + 4 + x * x * x * x, -1.5));
  check<ldexp_d>("ldexp", x, 8);
  check<scalbn_d>("scalbn", x, 0.25);
  check<fdim_d>("fdim", x, 1);
  check<remainder_d>("remainder", x, 7);
  return finish("ad_device_math");
}
