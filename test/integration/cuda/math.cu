// libdevice math (single and double precision, the fast __ intrinsics) and
// the directed-rounding intrinsics, against the host math library computed
// in double or long double precision, with tolerances from the CUDA
// programming guide's error bounds.
#include "check.cuh"
#include <cfloat>
#include <vector>

enum Fn {
  Sin, Cos, Tan, Exp, Exp2, Log, Log2, Log10, Log1p, Expm1, Pow, Sqrt, Rsqrt,
  Cbrt, Erf, Erfc, Lgamma, Tanh, Sinh, Asin, Atan2, Hypot, Fmod, Sinpi,
  FastExp, FastSin, FastLog, FastDiv, DSin, DExp, DLog, DPow, DErf, DTanh,
  DAtan2, DCbrt, NumFns
};

__device__ double evaluate(int F, float X, float Y) {
  double DX = X, DY = Y;
  switch (F) {
  case Sin: return sinf(X);
  case Cos: return cosf(X);
  case Tan: return tanf(X);
  case Exp: return expf(X);
  case Exp2: return exp2f(X);
  case Log: return logf(fabsf(X) + 0.5f);
  case Log2: return log2f(fabsf(X) + 0.5f);
  case Log10: return log10f(fabsf(X) + 0.5f);
  case Log1p: return log1pf(fabsf(X));
  case Expm1: return expm1f(X);
  case Pow: return powf(fabsf(X) + 0.5f, Y);
  case Sqrt: return sqrtf(fabsf(X));
  case Rsqrt: return rsqrtf(fabsf(X) + 0.5f);
  case Cbrt: return cbrtf(X);
  case Erf: return erff(X);
  case Erfc: return erfcf(X);
  case Lgamma: return lgammaf(fabsf(X) + 0.5f);
  case Tanh: return tanhf(X);
  case Sinh: return sinhf(X);
  case Asin: return asinf(X / 10);
  case Atan2: return atan2f(X, Y);
  case Hypot: return hypotf(X, Y);
  case Fmod: return fmodf(X, Y + 5.5f);
  case Sinpi: return sinpif(X);
  case FastExp: return __expf(X);
  case FastSin: return __sinf(X);
  case FastLog: return __logf(fabsf(X) + 0.5f);
  case FastDiv: return __fdividef(X, Y + 5.5f);
  case DSin: return sin(DX * 3.1);
  case DExp: return exp(DX);
  case DLog: return log(fabs(DX) + 0.5);
  case DPow: return pow(fabs(DX) + 0.5, DY);
  case DErf: return erf(DX);
  case DTanh: return tanh(DX);
  case DAtan2: return atan2(DX, DY);
  case DCbrt: return cbrt(DX * 7);
  }
  return 0;
}

__global__ void mathKernel(const float *X, const float *Y, double *Out, int N) {
  int I = blockIdx.x * blockDim.x + threadIdx.x;
  if (I < N * NumFns)
    Out[I] = evaluate(I / N, X[I % N], Y[I % N]);
}

// Reference and tolerance (relative, plus the same absolute near zero).
static void reference(int F, long double X, long double Y, long double &R,
                      double &Tol) {
  const double Flt = 4 * FLT_EPSILON, Dbl = 4 * DBL_EPSILON;
  Tol = Flt;
  switch (F) {
  case Sin: R = sinl(X); break;
  case Cos: R = cosl(X); break;
  case Tan: R = tanl(X); break;
  case Exp: R = expl(X); break;
  case Exp2: R = exp2l(X); break;
  case Log: R = logl(fabsl(X) + 0.5L); break;
  case Log2: R = log2l(fabsl(X) + 0.5L); break;
  case Log10: R = log10l(fabsl(X) + 0.5L); break;
  case Log1p: R = log1pl(fabsl(X)); break;
  case Expm1: R = expm1l(X); break;
  case Pow: R = powl(fabsl(X) + 0.5L, Y); Tol = 8 * FLT_EPSILON; break;
  case Sqrt: R = sqrtl(fabsl(X)); break;
  case Rsqrt: R = 1 / sqrtl(fabsl(X) + 0.5L); break;
  case Cbrt: R = cbrtl(X); break;
  case Erf: R = erfl(X); break;
  case Erfc: R = erfcl(X); Tol = 16 * FLT_EPSILON; break;
  case Lgamma: R = lgammal(fabsl(X) + 0.5L); Tol = 1e-5; break;
  case Tanh: R = tanhl(X); break;
  case Sinh: R = sinhl(X); break;
  case Asin: R = asinl(X / 10); break;
  case Atan2: R = atan2l(X, Y); break;
  case Hypot: R = hypotl(X, Y); break;
  case Fmod: R = fmodl(X, (long double)(float)(Y + 5.5f)); break;
  case Sinpi: R = sinl(3.14159265358979323846264338327950288L * X); break;
  case FastExp: R = expl(X); Tol = 1e-5; break;
  case FastSin: R = sinl(X); Tol = 1e-5; break;
  case FastLog: R = logl(fabsl(X) + 0.5L); Tol = 1e-5; break;
  case FastDiv: R = X / (long double)(float)(Y + 5.5f); Tol = 1e-6; break;
  case DSin: R = sinl((double)X * 3.1); Tol = Dbl; break;
  case DExp: R = expl(X); Tol = Dbl; break;
  case DLog: R = logl(fabsl(X) + 0.5L); Tol = Dbl; break;
  case DPow: R = powl(fabsl(X) + 0.5L, Y); Tol = Dbl; break;
  case DErf: R = erfl(X); Tol = Dbl; break;
  case DTanh: R = tanhl(X); Tol = Dbl; break;
  case DAtan2: R = atan2l(X, Y); Tol = Dbl; break;
  case DCbrt: R = cbrtl((double)X * 7); Tol = Dbl; break;
  }
}

struct Rounded {
  float AddDown, AddUp, DivDown, DivUp, MulZero, SqrtDown, SqrtUp;
  double DAddDown, DAddUp, DFmaDown;
  int IntDown, IntUp, IntNear, IntZero;
  float FromUintZero, FromUintNear, Narrow, NarrowDown;
};

__global__ void rounding(Rounded *R) {
  float Tiny = 1e-8f, One = 1.0f, Three = 3.0f, Two = 2.0f;
  R->AddDown = __fadd_rd(One, Tiny);
  R->AddUp = __fadd_ru(One, Tiny);
  R->DivDown = __fdiv_rd(One, Three);
  R->DivUp = __fdiv_ru(One, Three);
  R->MulZero = __fmul_rz(-One / Three, Three);
  R->SqrtDown = __fsqrt_rd(Two);
  R->SqrtUp = __fsqrt_ru(Two);
  R->DAddDown = __dadd_rd(1.0, 1e-20);
  R->DAddUp = __dadd_ru(1.0, 1e-20);
  R->DFmaDown = __fma_rd(1.0 / 3, 3.0, -1.0);
  R->IntDown = __float2int_rd(-1.5f);
  R->IntUp = __float2int_ru(-1.5f);
  R->IntNear = __float2int_rn(2.5f);
  R->IntZero = __float2int_rz(-1.7f);
  R->FromUintZero = __uint2float_rz(0xffffffffu);
  R->FromUintNear = __uint2float_rn(0xffffffffu);
  R->Narrow = __double2float_rn(1.0 / 3);
  R->NarrowDown = __double2float_rd(1.0 / 3);
}

int main() {
  const int N = 200;
  std::vector<float> X(N), Y(N);
  for (int I = 0; I < N; ++I) {
    X[I] = -3.0f + 6.0f * I / (N - 1);
    Y[I] = 2.5f - 0.37f * (I % 13);
  }
  float *DX, *DY;
  double *DOut;
  CUDA_CHECK(cudaMalloc(&DX, N * sizeof(float)));
  CUDA_CHECK(cudaMalloc(&DY, N * sizeof(float)));
  CUDA_CHECK(cudaMalloc(&DOut, N * NumFns * sizeof(double)));
  CUDA_CHECK(cudaMemcpy(DX, X.data(), N * sizeof(float), cudaMemcpyHostToDevice));
  CUDA_CHECK(cudaMemcpy(DY, Y.data(), N * sizeof(float), cudaMemcpyHostToDevice));
  mathKernel<<<(N * NumFns + 127) / 128, 128>>>(DX, DY, DOut, N);
  LAUNCH_CHECK();
  std::vector<double> Out(N * NumFns);
  CUDA_CHECK(cudaMemcpy(Out.data(), DOut, Out.size() * sizeof(double), cudaMemcpyDeviceToHost));
  for (int F = 0; F < NumFns; ++F) {
    for (int I = 0; I < N; ++I) {
      long double R;
      double Tol;
      reference(F, X[I], Y[I], R, Tol);
      double Got = Out[F * N + I];
      if (!(std::fabs(Got - (double)R) <= Tol * (1 + std::fabs((double)R)))) {
        fprintf(stderr, "function %d at x=%.9g y=%.9g: got %.17g want %.17Lg\n",
                F, X[I], Y[I], Got, R);
        ++Failures;
      }
    }
  }

  Rounded *DR, R;
  CUDA_CHECK(cudaMalloc(&DR, sizeof R));
  rounding<<<1, 1>>>(DR);
  LAUNCH_CHECK();
  CUDA_CHECK(cudaMemcpy(&R, DR, sizeof R, cudaMemcpyDeviceToHost));
  CHECK(R.AddDown == 1.0f);
  CHECK(R.AddUp == nextafterf(1.0f, 2.0f));
  CHECK(R.DivDown < R.DivUp && nextafterf(R.DivDown, 1.0f) == R.DivUp);
  CHECK(R.DivDown <= 1.0 / 3 && R.DivUp >= 1.0 / 3);
  CHECK(R.MulZero == -1.0f || R.MulZero == nextafterf(-1.0f, 0.0f));
  CHECK(R.SqrtDown < R.SqrtUp && R.SqrtDown * (double)R.SqrtDown <= 2.0 &&
        R.SqrtUp * (double)R.SqrtUp >= 2.0);
  CHECK(R.DAddDown == 1.0 && R.DAddUp == nextafter(1.0, 2.0));
  CHECK(R.DFmaDown == std::fma(1.0 / 3, 3.0, -1.0));
  CHECK(R.IntDown == -2 && R.IntUp == -1 && R.IntNear == 2 && R.IntZero == -1);
  CHECK(R.FromUintZero == 4294967040.0f && R.FromUintNear == 4294967296.0f);
  CHECK(R.Narrow == (float)(1.0 / 3));
  CHECK(R.NarrowDown <= 1.0 / 3 && nextafterf(R.NarrowDown, 1.0f) > 1.0 / 3);
  return finish("math");
}
