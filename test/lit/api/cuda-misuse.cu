// fluxion::cuda::gradient and tangent check each argument against the
// kernel's parameter at compile time, with the error at the caller's line:
// an active(3.0f, float *) for a double parameter used to give 0, a size_t
// for an int parameter was passed as 8 bytes where 4 were read. Arguments
// that convert without narrowing are converted.
// REQUIRES: cuda
// RUN: %fluxion-clang++ %cuda-flags -std=c++17 -fsyntax-only %s
// RUN: %not %fluxion-clang++ %cuda-flags -std=c++17 --cuda-host-only -fsyntax-only -DCASE=1 %s 2>&1 | %FileCheck %s --check-prefix=ACTIVE
// RUN: %not %fluxion-clang++ %cuda-flags -std=c++17 --cuda-host-only -fsyntax-only -DCASE=2 %s 2>&1 | %FileCheck %s --check-prefix=NARROW
// RUN: %not %fluxion-clang++ %cuda-flags -std=c++17 --cuda-host-only -fsyntax-only -DCASE=3 %s 2>&1 | %FileCheck %s --check-prefix=DUP
// RUN: %not %fluxion-clang++ %cuda-flags -std=c++17 --cuda-host-only -fsyntax-only -DCASE=4 %s 2>&1 | %FileCheck %s --check-prefix=COUNT
// RUN: %not %fluxion-clang++ %cuda-flags -std=c++17 --cuda-host-only -fsyntax-only -DCASE=5 %s 2>&1 | %FileCheck %s --check-prefix=TANGENT
// RUN: %not %fluxion-clang++ %cuda-flags -std=c++17 --cuda-host-only -fsyntax-only -DCASE=6 %s 2>&1 | %FileCheck %s --check-prefix=BARE
// RUN: %not %fluxion-clang++ %cuda-flags -std=c++17 --cuda-host-only -fsyntax-only -DCASE=7 %s 2>&1 | %FileCheck %s --check-prefix=CONST
// RUN: %not %fluxion-clang++ %cuda-flags -std=c++17 --cuda-host-only -fsyntax-only -DCASE=8 %s 2>&1 | %FileCheck %s --check-prefix=TWICE
// RUN: %not %fluxion-clang++ %cuda-flags -std=c++17 --cuda-host-only -fsyntax-only -DCASE=9 %s 2>&1 | %FileCheck %s --check-prefix=KERNEL
#include <fluxion/cuda.cuh>

#ifndef CASE
#define CASE 0
#endif

__global__ void axpy(double a, const double *x, double *y, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    y[i] += a * x[i];
}
__global__ void scale2(double a, double b, double *y) { y[0] *= a * b; }
double host_function(double *y) { return y[0]; }

void uses(double *x, double *dx, double *y, double *dy, double *da,
          float *fx, float *fda, std::size_t count, int n) {
  using namespace fluxion::cuda;
#if CASE == 0
  // Exact types, and conversions that do not narrow: float to double, int
  // to int, double * to const double *.
  (void)gradient<axpy>(1, 64, 0, 0, active(3.0, da), dup(x, dx), dup(y, dy),
                       constant(n));
  (void)gradient<axpy>(1, 64, 0, 0, constant(3.0f), dup((const double *)x, dx),
                       dup(y, dy), constant(64));
  (void)tangent<axpy>(1, 64, 0, 0, constant(3.0), dup(x, dx), dup(y, dy),
                      constant(int(count)));
#elif CASE == 1
  // ACTIVE: cuda-misuse.cu:[[@LINE+1]]:9: error: call to deleted function 'gradient': fluxion::cuda::gradient: active(v, &adjoint) must have its kernel parameter's floating-point type exactly
  (void)gradient<axpy>(1, 64, 0, 0, active(3.0f, fda), dup(x, dx), dup(y, dy),
                       constant(n));
  // ACTIVE: note: candidate function [with Kernel = &axpy, Args = <fluxion::Active<float>,
#elif CASE == 2
  // NARROW: cuda-misuse.cu:[[@LINE+1]]:9: error: call to deleted function 'gradient': fluxion::cuda::gradient: constant(v) must have its kernel parameter's type or convert to it without narrowing (a size_t for an int parameter narrows: write constant(int(n)))
  (void)gradient<axpy>(1, 64, 0, 0, active(3.0, da), dup(x, dx), dup(y, dy),
                       constant(count));
#elif CASE == 3
  // DUP: cuda-misuse.cu:[[@LINE+1]]:9: error: call to deleted function 'tangent': fluxion::cuda::tangent: dup(pointer, shadow) must point to its kernel parameter's element type
  (void)tangent<axpy>(1, 64, 0, 0, constant(3.0), dup(fx, fx), dup(y, dy),
                      constant(n));
#elif CASE == 4
  // COUNT: cuda-misuse.cu:[[@LINE+1]]:9: error: call to deleted function 'gradient': fluxion::cuda::gradient: pass one argument per kernel parameter
  (void)gradient<axpy>(1, 64, 0, 0, active(3.0, da), dup(x, dx), dup(y, dy));
#elif CASE == 5
  // TANGENT: cuda-misuse.cu:[[@LINE+1]]:9: error: call to deleted function 'tangent': fluxion::cuda::tangent: active(v, &adjoint) is for reverse mode (gradient); forward mode takes scalars as constant(v)
  (void)tangent<axpy>(1, 64, 0, 0, active(3.0, da), dup(x, dx), dup(y, dy),
                      constant(n));
#elif CASE == 6
  // BARE: cuda-misuse.cu:[[@LINE+1]]:9: error: call to deleted function 'gradient': fluxion::cuda::gradient: pass each kernel argument as constant(v), dup(pointer, shadow) or active(v, &adjoint)
  (void)gradient<axpy>(1, 64, 0, 0, 3.0, dup(x, dx), dup(y, dy), constant(n));
#elif CASE == 7
  // CONST: cuda-misuse.cu:[[@LINE+1]]:9: error: call to deleted function 'gradient': fluxion::cuda::gradient: dup(pointer, shadow) must point to its kernel parameter's element type
  (void)gradient<axpy>(1, 64, 0, 0, constant(3.0), dup(x, dx),
                       dup((const double *)y, dy), constant(n));
#elif CASE == 8
  // TWICE: cuda-misuse.cu:[[@LINE+1]]:9: error: call to deleted function 'gradient': fluxion::cuda::gradient: at most one active scalar; pass the others by pointer with dup
  (void)gradient<scale2>(1, 1, 0, 0, active(2.0, da), active(3.0, da),
                         dup(y, dy));
#elif CASE == 9
  // KERNEL: cuda-misuse.cu:[[@LINE+1]]:9: error: call to deleted function 'gradient': fluxion::cuda::gradient: the template argument must be a __global__ function
  (void)gradient<host_function>(1, 1, 0, 0, dup(y, dy));
#endif
}
