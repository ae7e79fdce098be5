// fluxion::gradient, value_and_grad and tangent with an activity per
// argument check each argument against f's parameter at compile time, with
// the error at the caller's line; the forms without activities
// (gradient(f, x, grad, n), gradient(f, x, grad)) keep their overloads.
// RUN: %fluxion-clang++ -std=c++17 -fsyntax-only %s
// RUN: %fluxion-clang++ -std=c++20 -fsyntax-only -Wall -Wextra %s 2>&1 | %FileCheck %s --check-prefix=CLEAN --allow-empty
// RUN: %not %fluxion-clang++ -std=c++17 -fsyntax-only -DCASE=1 %s 2>&1 | %FileCheck %s --check-prefix=BARE
// RUN: %not %fluxion-clang++ -std=c++17 -fsyntax-only -DCASE=2 %s 2>&1 | %FileCheck %s --check-prefix=COUNT
// RUN: %not %fluxion-clang++ -std=c++17 -fsyntax-only -DCASE=3 %s 2>&1 | %FileCheck %s --check-prefix=NARROW
// RUN: %not %fluxion-clang++ -std=c++17 -fsyntax-only -DCASE=4 %s 2>&1 | %FileCheck %s --check-prefix=DUP
// RUN: %not %fluxion-clang++ -std=c++17 -fsyntax-only -DCASE=5 %s 2>&1 | %FileCheck %s --check-prefix=CONST
// RUN: %not %fluxion-clang++ -std=c++17 -fsyntax-only -DCASE=6 %s 2>&1 | %FileCheck %s --check-prefix=ACTIVE
// RUN: %not %fluxion-clang++ -std=c++17 -fsyntax-only -DCASE=7 %s 2>&1 | %FileCheck %s --check-prefix=TANGENT
// RUN: %not %fluxion-clang++ -std=c++17 -fsyntax-only -DCASE=8 %s 2>&1 | %FileCheck %s --check-prefix=UNWRAPPED
// RUN: %not %fluxion-clang++ -std=c++17 -fsyntax-only -DCASE=9 %s 2>&1 | %FileCheck %s --check-prefix=VALUE
// RUN: %not %fluxion-clang++ -std=c++17 -fsyntax-only -DCASE=10 %s 2>&1 | %FileCheck %s --check-prefix=RESULT
// RUN: %not %fluxion-clang++ -std=c++17 -fsyntax-only -DCASE=11 %s 2>&1 | %FileCheck %s --check-prefix=STDFUNCTION
// RUN: %not %fluxion-clang++ -std=c++17 -fsyntax-only -DCASE=12 %s 2>&1 | %FileCheck %s --check-prefix=GENERIC
// RUN: %not %fluxion-clang++ -std=c++17 -fsyntax-only -DCASE=13 %s 2>&1 | %FileCheck %s --check-prefix=REFERENCE
// CLEAN-NOT: warning
#include <fluxion/ad.hpp>

#include <functional>
#include <vector>

#ifndef CASE
#define CASE 0
#endif

double loss(const double *x, int n, const double *w, double s) {
  double total = 0;
  for (int i = 0; i < n; ++i)
    total += s * w[i] * x[i];
  return total;
}
void map(const double *x, double *y) { y[0] = x[0] * x[0]; }
int counted(const double *x) { return int(x[0]); }
double scalar_d(const double *x) { return x[0] * x[1]; }
double by_reference(const double &x) { return x * x; }

void uses(double *x, double *dx, const double *cx, float *fx, double *w,
          double *dw, std::size_t count) {
  using fluxion::active;
  using fluxion::constant;
  using fluxion::dup;
  double ds = 0, g[2];
  float fs = 0;
  std::vector<double> xv(2, 1.0), gv;
  auto lambda = [w](const double *p, double s) { return s * p[0] * w[0]; };
  auto generic = [](const auto *p, auto s) { return s * p[0]; };
  (void)ds;
  (void)fs;
  (void)count;
  (void)fx;

#if CASE == 0
  // The calls that are right: exact types, conversions that do not narrow
  // (a double * for a const double * parameter, 3 for an int), containers
  // and captured data constant.
  fluxion::gradient(loss, dup(x, dx), constant(3), dup(w, dw),
                    active(2.0, &ds));
  fluxion::gradient(loss, dup(cx, dx), constant(int(count)), constant(cx),
                    constant(2.0f));
  double value = fluxion::value_and_grad(loss, dup(x, dx), constant(3),
                                         constant(w), active(2.0, &ds));
  value += fluxion::tangent(loss, dup(x, dx), constant(3), dup(w, dw),
                            constant(2.0));
  fluxion::gradient(lambda, dup(x, dx), active(2.0, &ds));
  value += fluxion::tangent(generic, dup(x, dx), constant(2.0));
  fluxion::gradient(map, dup(cx, dx), dup(w, dw));
  fluxion::tangent(map, dup(x, dx), dup(w, dw));
  fluxion::gradient(fluxion::fn<scalar_d>, dup(x, dx));
  value += fluxion::value_and_grad(by_reference, dup(x, dx));
  // The forms without activities.
  fluxion::gradient(scalar_d, x, g, 2);
  fluxion::gradient(scalar_d, xv, gv);
  value += fluxion::value_and_grad(scalar_d, x, g, 2);
  (void)value;
#elif CASE == 1
  // BARE: activity-misuse.cpp:[[@LINE+1]]:3: error: call to deleted function 'gradient': fluxion: pass each argument of f as fluxion::constant(v), fluxion::dup(pointer, shadow) or fluxion::active(v, &adjoint)
  fluxion::gradient(loss, dup(x, dx), 3, dup(w, dw), active(2.0, &ds));
  // BARE: note: candidate function [with Fn = double (const double *, int, const double *, double), Args = <fluxion::Duplicated<double>, int,
#elif CASE == 2
  // COUNT: activity-misuse.cpp:[[@LINE+1]]:3: error: call to deleted function 'gradient': fluxion: pass one argument per parameter of f
  fluxion::gradient(loss, dup(x, dx), constant(3), dup(w, dw));
#elif CASE == 3
  // NARROW: activity-misuse.cpp:[[@LINE+1]]:3: error: call to deleted function 'gradient': fluxion: constant(v) must have its parameter's type or convert to it without narrowing (a size_t for an int parameter narrows: write constant(int(n)))
  fluxion::gradient(loss, dup(x, dx), constant(count), dup(w, dw),
                    active(2.0, &ds));
#elif CASE == 4
  // DUP: activity-misuse.cpp:[[@LINE+1]]:3: error: call to deleted function 'gradient': fluxion: dup(pointer, shadow) must point to its parameter's element type
  fluxion::gradient(loss, dup(fx, fx), constant(3), dup(w, dw),
                    active(2.0, &ds));
#elif CASE == 5
  // CONST: activity-misuse.cpp:[[@LINE+1]]:3: error: call to deleted function 'gradient': fluxion: dup(pointer, shadow) must point to its parameter's element type
  fluxion::gradient(map, dup(x, dx), dup(cx, dw));
#elif CASE == 6
  // ACTIVE: activity-misuse.cpp:[[@LINE+1]]:9: error: call to deleted function 'value_and_grad': fluxion: active(v, &adjoint) must have its parameter's floating-point type exactly
  (void)fluxion::value_and_grad(loss, dup(x, dx), constant(3), dup(w, dw),
                                active(2.0f, &fs));
  // ACTIVE: note: candidate function [with Fn = double (const double *, int, const double *, double), Args = <fluxion::Duplicated<double>, fluxion::Constant<int>, fluxion::Duplicated<double>, fluxion::Active<float>>
#elif CASE == 7
  // TANGENT: activity-misuse.cpp:[[@LINE+1]]:9: error: call to deleted function 'tangent': fluxion: active(v, &adjoint) is for reverse mode (gradient, value_and_grad); tangent takes scalars as constant(v) and tangents through dup(pointer, shadow)
  (void)fluxion::tangent(loss, dup(x, dx), constant(3), dup(w, dw),
                         active(2.0, &ds));
#elif CASE == 8
  // UNWRAPPED: activity-misuse.cpp:[[@LINE+1]]:9: error: call to deleted function 'tangent': fluxion: pass each argument of f as fluxion::constant(v)
  (void)fluxion::tangent(lambda, x, 2.0);
#elif CASE == 9
  // VALUE: activity-misuse.cpp:[[@LINE+1]]:9: error: call to deleted function 'value_and_grad': fluxion: value_and_grad needs f to return a floating-point value
  (void)fluxion::value_and_grad(map, dup(x, dx), dup(w, dw));
#elif CASE == 10
  // RESULT: activity-misuse.cpp:[[@LINE+1]]:3: error: call to deleted function 'gradient': fluxion: f must return a floating-point value or void
  fluxion::gradient(counted, dup(x, dx));
#elif CASE == 11
  std::function<double(const double *)> wrapped = scalar_d;
  // STDFUNCTION: activity-misuse.cpp:[[@LINE+1]]:3: error: call to deleted function 'gradient': fluxion: f is a std::function, which hides the function it calls from the compiler
  fluxion::gradient(wrapped, dup(x, dx));
#elif CASE == 12
  // GENERIC: activity-misuse.cpp:[[@LINE+1]]:3: error: call to deleted function 'gradient': fluxion: f must be a function, a lambda or a function object callable through a const reference with the arguments
  fluxion::gradient(generic, dup(x, dx));
#elif CASE == 13
  // REFERENCE: activity-misuse.cpp:[[@LINE+1]]:3: error: call to deleted function 'gradient': fluxion: active(v, &adjoint) must have its parameter's floating-point type exactly, the parameter taken by value
  fluxion::gradient(by_reference, active(2.0, &ds));
#endif
}
