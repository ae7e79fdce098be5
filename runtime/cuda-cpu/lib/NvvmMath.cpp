//===- NvvmMath.cpp - NVVM arithmetic the host has no instruction for -----===//
//
// The retargeting tool turns llvm.nvvm.<op>.<mode>.<type> into a call of
// __fxcpu_nvvm_<op>_<mode>_<type> when the operation needs a rounding mode
// other than round-to-nearest (libdevice uses these for correctly rounded
// results, and CUDA exposes them as __fadd_rd and friends). Each is computed
// under that rounding mode, so results are bit-exact with the GPU. The empty
// asm statements pin the operation between the mode switches, which neither
// GCC nor Clang otherwise treat as an ordering constraint.
//
//===----------------------------------------------------------------------===//

#include <cfenv>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace {

template <typename T> void pin(T &V) {
  asm volatile("" : "+m"(V) : : "memory");
}

template <int Mode, typename R, typename Fn> R rounded(Fn Compute) {
  int Old = fegetround();
  fesetround(Mode);
  R Result = Compute();
  pin(Result);
  fesetround(Old);
  return Result;
}

} // namespace

#define FXCPU_BINARY(NAME, EXPR)                                               \
  FXCPU_BINARY_MODE(NAME, rm, FE_DOWNWARD, EXPR)                               \
  FXCPU_BINARY_MODE(NAME, rp, FE_UPWARD, EXPR)                                 \
  FXCPU_BINARY_MODE(NAME, rz, FE_TOWARDZERO, EXPR)
#define FXCPU_BINARY_MODE(NAME, MODE, FE, EXPR)                                \
  FXCPU_BINARY_TYPE(NAME, MODE, FE, EXPR, f, float)                            \
  FXCPU_BINARY_TYPE(NAME, MODE, FE, EXPR, d, double)
#define FXCPU_BINARY_TYPE(NAME, MODE, FE, EXPR, SUFFIX, T)                     \
  extern "C" T __fxcpu_nvvm_##NAME##_##MODE##_##SUFFIX(T A, T B) {             \
    return rounded<FE, T>([&] {                                                \
      pin(A);                                                                  \
      pin(B);                                                                  \
      return EXPR;                                                             \
    });                                                                        \
  }

FXCPU_BINARY(add, A + B)
FXCPU_BINARY(mul, A *B)
FXCPU_BINARY(div, A / B)

#define FXCPU_UNARY_MODE(NAME, MODE, FE, EXPR)                                 \
  FXCPU_UNARY_TYPE(NAME, MODE, FE, EXPR, f, float)                             \
  FXCPU_UNARY_TYPE(NAME, MODE, FE, EXPR, d, double)
#define FXCPU_UNARY_TYPE(NAME, MODE, FE, EXPR, SUFFIX, T)                      \
  extern "C" T __fxcpu_nvvm_##NAME##_##MODE##_##SUFFIX(T A) {                  \
    return rounded<FE, T>([&] {                                                \
      pin(A);                                                                  \
      return EXPR;                                                             \
    });                                                                        \
  }
#define FXCPU_UNARY(NAME, EXPR)                                                \
  FXCPU_UNARY_MODE(NAME, rm, FE_DOWNWARD, EXPR)                                \
  FXCPU_UNARY_MODE(NAME, rp, FE_UPWARD, EXPR)                                  \
  FXCPU_UNARY_MODE(NAME, rz, FE_TOWARDZERO, EXPR)

FXCPU_UNARY(sqrt, std::sqrt(A))
FXCPU_UNARY(rcp, decltype(A)(1) / A)

#define FXCPU_FMA_MODE(MODE, FE)                                               \
  extern "C" float __fxcpu_nvvm_fma_##MODE##_f(float A, float B, float C) {    \
    return rounded<FE, float>([&] {                                            \
      pin(A);                                                                  \
      pin(B);                                                                  \
      pin(C);                                                                  \
      return std::fma(A, B, C);                                                \
    });                                                                        \
  }                                                                            \
  extern "C" double __fxcpu_nvvm_fma_##MODE##_d(double A, double B,            \
                                                double C) {                    \
    return rounded<FE, double>([&] {                                           \
      pin(A);                                                                  \
      pin(B);                                                                  \
      pin(C);                                                                  \
      return std::fma(A, B, C);                                                \
    });                                                                        \
  }
FXCPU_FMA_MODE(rm, FE_DOWNWARD)
FXCPU_FMA_MODE(rp, FE_UPWARD)
FXCPU_FMA_MODE(rz, FE_TOWARDZERO)

// Conversions to floating point that can round: <src>2<dst>.<mode>.
#define FXCPU_CONVERT(NAME, FROM, TO)                                          \
  FXCPU_CONVERT_MODE(NAME, rm, FE_DOWNWARD, FROM, TO)                          \
  FXCPU_CONVERT_MODE(NAME, rp, FE_UPWARD, FROM, TO)                            \
  FXCPU_CONVERT_MODE(NAME, rz, FE_TOWARDZERO, FROM, TO)
#define FXCPU_CONVERT_MODE(NAME, MODE, FE, FROM, TO)                           \
  extern "C" TO __fxcpu_nvvm_##NAME##_##MODE(FROM A) {                         \
    return rounded<FE, TO>([&] {                                               \
      pin(A);                                                                  \
      return static_cast<TO>(A);                                               \
    });                                                                        \
  }

FXCPU_CONVERT(d2f, double, float)
FXCPU_CONVERT(i2f, int32_t, float)
FXCPU_CONVERT(ui2f, uint32_t, float)
FXCPU_CONVERT(ll2f, int64_t, float)
FXCPU_CONVERT(ull2f, uint64_t, float)
FXCPU_CONVERT(ll2d, int64_t, double)
FXCPU_CONVERT(ull2d, uint64_t, double)

extern "C" uint16_t __fxcpu_nvvm_f2h_rn(float A) {
  _Float16 H = static_cast<_Float16>(A);
  uint16_t Bits;
  memcpy(&Bits, &H, sizeof Bits);
  return Bits;
}

/// prmt.b32 in its default mode: each selector nibble picks a byte of {B,A}
/// and, with bit 3 set, replicates that byte's sign bit instead.
extern "C" uint32_t __fxcpu_nvvm_prmt(uint32_t A, uint32_t B, uint32_t Sel) {
  uint64_t Bytes = (uint64_t(B) << 32) | A;
  uint32_t Result = 0;
  for (int I = 0; I < 4; ++I) {
    uint32_t Nibble = (Sel >> (4 * I)) & 0xf;
    uint32_t Byte = (Bytes >> (8 * (Nibble & 7))) & 0xff;
    if (Nibble & 8)
      Byte = (Byte & 0x80) ? 0xff : 0;
    Result |= Byte << (8 * I);
  }
  return Result;
}

/// fns.b32: position of the Offset-th set bit of Mask counting from Base,
/// towards the most significant bit for positive offsets.
extern "C" uint32_t __fxcpu_nvvm_fns(uint32_t Mask, uint32_t Base,
                                     int32_t Offset) {
  if (Base > 31)
    return ~0u;
  if (Offset == 0)
    return (Mask >> Base) & 1 ? Base : ~0u;
  int Step = Offset > 0 ? 1 : -1;
  int Remaining = Offset > 0 ? Offset : -Offset;
  for (int I = static_cast<int>(Base); I >= 0 && I < 32; I += Step)
    if (((Mask >> I) & 1) && --Remaining == 0)
      return static_cast<uint32_t>(I);
  return ~0u;
}
