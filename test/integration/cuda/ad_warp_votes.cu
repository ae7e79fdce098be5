// Warp collectives on integers inside differentiated code carry no
// derivative: votes (__ballot_sync, __any_sync), integer warp reductions
// (__reduce_add_sync, __reduce_max_sync), an integer shuffle and
// __activemask give counts and lanes that scale active values. For
//   f(x) = count x^2 + popc(ballot(x > 1/2)) x + any(x > 0.9)
//          + shfl(2 lane, 3) x + reduce_max(lane) x
// with count = lanes below 10 (10), each thread's derivative in both modes
// is 20 x + popc(ballot) + 6 + 31, in double (relative 1e-12) and float
// (1e-5).
#include "builtins.cuh"
#include "check.cuh"

constexpr unsigned Full = 0xffffffffu;
constexpr int Warp = 32;

template <class T> __device__ T f(T x) {
  unsigned lane = threadIdx.x % Warp;
  int count = __reduce_add_sync(Full, lane < 10 ? 1 : 0);
  unsigned ballot = __ballot_sync(Full, x > T(0.5));
  int any = __any_sync(Full, x > T(0.9));
  int partner = __shfl_sync(Full, int(lane) * 2, 3);
  unsigned top = __reduce_max_sync(Full, lane);
  unsigned active = __popc(__activemask());
  return x * x * count + T(__popc(ballot)) * x + T(any) + T(partner) * x +
         T(top) * x * T(active / Warp);
}

__global__ void derivatives(const double *x, double *rev, double *fwd,
                            float *revf, float *fwdf) {
  int i = threadIdx.x;
  rev[i] = __enzyme_autodiff((void *)f<double>, x[i]);
  fwd[i] = __enzyme_fwddiff((void *)f<double>, x[i], 1.0);
  revf[i] = __enzyme_autodiff_f((void *)f<float>, float(x[i]));
  fwdf[i] = __enzyme_fwddiff_f((void *)f<float>, float(x[i]), 1.0f);
}

int main() {
  std::vector<double> hx(Warp);
  int above = 0;
  for (int i = 0; i < Warp; ++i) {
    hx[i] = (i + 0.25) / Warp;
    above += hx[i] > 0.5;
  }
  double *x = upload(hx);
  double *rev = device_array<double>(Warp), *fwd = device_array<double>(Warp);
  float *revf = device_array<float>(Warp), *fwdf = device_array<float>(Warp);
  derivatives<<<1, Warp>>>(x, rev, fwd, revf, fwdf);
  LAUNCH_CHECK();
  std::vector<double> hrev = download(rev, Warp), hfwd = download(fwd, Warp);
  std::vector<float> hrevf = download(revf, Warp), hfwdf = download(fwdf, Warp);
  for (int i = 0; i < Warp; ++i) {
    double want = 20 * hx[i] + above + 6 + 31;
    CHECK_NEAR(hrev[i], want, 1e-12);
    CHECK_NEAR(hfwd[i], want, 1e-12);
    CHECK_NEAR(hrevf[i], want, 1e-5);
    CHECK_NEAR(hfwdf[i], want, 1e-5);
  }
  return finish("ad_warp_votes");
}
