// Misuse of the C++ API that used to compile into silent zeros or a crash
// is an error at the caller's line that says what is wrong; the correct
// calls next to them compile.
// RUN: %fluxion-clang++ -std=c++17 -fsyntax-only %s
// RUN: %fluxion-clang++ -std=c++20 -fsyntax-only -Wall -Wextra %s 2>&1 | %FileCheck %s --check-prefix=CLEAN --allow-empty
// RUN: %not %fluxion-clang++ -std=c++17 -fsyntax-only -DCASE=1 %s 2>&1 | %FileCheck %s --check-prefix=PRECISION
// RUN: %not %fluxion-clang++ -std=c++17 -fsyntax-only -DCASE=2 %s 2>&1 | %FileCheck %s --check-prefix=VECTOR
// RUN: %not %fluxion-clang++ -std=c++17 -fsyntax-only -DCASE=3 %s 2>&1 | %FileCheck %s --check-prefix=STDFUNCTION
// RUN: %not %fluxion-clang++ -std=c++17 -fsyntax-only -DCASE=4 %s 2>&1 | %FileCheck %s --check-prefix=RESULT
// RUN: %not %fluxion-clang++ -std=c++17 -fsyntax-only -DCASE=5 %s 2>&1 | %FileCheck %s --check-prefix=MAP
// RUN: %not %fluxion-clang++ -std=c++17 -fsyntax-only -DCASE=6 %s 2>&1 | %FileCheck %s --check-prefix=MIXED
// RUN: %not %fluxion-clang++ -std=c++17 -fsyntax-only -DCASE=7 %s 2>&1 | %FileCheck %s --check-prefix=PLAIN
// RUN: %not %fluxion-clang++ -std=c++17 -fsyntax-only -DCASE=8 %s 2>&1 | %FileCheck %s --check-prefix=DRIVER
// RUN: %not %fluxion-clang++ -std=c++17 -fsyntax-only -DCASE=9 %s 2>&1 | %FileCheck %s --check-prefix=SHADOW
// RUN: %not %fluxion-clang++ -std=c++17 -fsyntax-only -DCASE=10 %s 2>&1 | %FileCheck %s --check-prefix=ELEMENT
// RUN: %not %fluxion-clang++ -std=c++17 -fsyntax-only -DCASE=11 %s 2>&1 | %FileCheck %s --check-prefix=CONTAINER
// RUN: %not %fluxion-clang++ -std=c++17 -fsyntax-only -DCASE=12 %s 2>&1 | %FileCheck %s --check-prefix=BATCH
// RUN: %not %fluxion-clang++ -std=c++17 -fsyntax-only -DCASE=13 %s 2>&1 | %FileCheck %s --check-prefix=HVP
// RUN: %not %fluxion-clang++ -std=c++17 -fsyntax-only -DCASE=14 %s 2>&1 | %FileCheck %s --check-prefix=VALUE
// RUN: %not %fluxion-clang++ -std=c++17 -fsyntax-only -DCASE=15 %s 2>&1 | %FileCheck %s --check-prefix=COPY
// CLEAN-NOT: warning
#include <fluxion/ad.hpp>

#include <array>
#include <functional>
#include <vector>

#ifndef CASE
#define CASE 0
#endif

float scalar_f(const float *x) { return x[0] * x[1]; }
double scalar_d(const double *x) { return x[0] * x[1]; }
double scalar_mutable(double *x) { return x[0] * x[1]; }
double scalar_vector(const std::vector<double> &x) { return x[0] * x[1]; }
double scalar_copy(std::vector<double> x) { return x[0] * x[1]; }
int scalar_int(const double *x) { return int(x[0]); }
void map_f(const float *x, float *y) { y[0] = x[0] * x[1]; }
void map_d(const double *x, double *y) { y[0] = x[0] * x[1]; }
void map_vector(const std::vector<double> &x, std::vector<double> &y) {
  y[0] = x[0] * x[1];
}
// A view f takes by reference: not a std::vector or std::array.
struct view {
  const double *p;
  size_t n;
  const double *data() const { return p; }
  size_t size() const { return n; }
};
double scalar_view(const view &x) { return x.p[0]; }

void uses() {
  double x[2] = {1, 2}, g[2], y[1], H[4];
  std::vector<double> xv(2, 1.0), gv, yv(1), uv(1, 1.0), jv;
  std::vector<float> gf;
  std::array<double, 2> xa{1, 2}, ga;
  auto lambda = [](const double *p) { return p[0] * p[1]; };

#if CASE == 0
  // The calls that are right.
  fluxion::gradient(scalar_d, x, g, 2);
  fluxion::gradient(scalar_mutable, x, g, 2);
  fluxion::gradient(lambda, x, g, 2);
  fluxion::gradient(scalar_d, xv, gv);
  fluxion::gradient(scalar_vector, xv, gv);
  fluxion::gradient(lambda, xa, ga);
  fluxion::gradient(lambda, x, g);
  double value = fluxion::value_and_grad(scalar_vector, xv, gv);
  value += fluxion::value_and_grad(lambda, x, g, 2);
  (void)value;
  fluxion::jvp(map_d, x, x, y, g, 2, 1);
  fluxion::jvp(map_vector, xv, xv, yv, jv);
  fluxion::vjp(map_vector, xv, uv, yv, gv);
  fluxion::jacobian(fluxion::fn<map_d>, x, H, 2, 1);
  fluxion::jacobian(fluxion::fn<map_d>, xv, gv, 1);
  fluxion::hessian(lambda, xv, gv);
  fluxion::hvp(fluxion::fn<scalar_d>, xv, xv, gv);
  fluxion::gradient(fluxion::fn<scalar_copy>, xv, gv);
#elif CASE == 1
  // PRECISION: misuse.cpp:[[@LINE+1]]:3: error: call to deleted function 'gradient': fluxion: f must be callable as f(const T *x), T the element type of x: a function of float data does not take double data
  fluxion::gradient(scalar_f, x, g, 2);
  // PRECISION: note: candidate function [with Fn = float (const float *), Real = double
#elif CASE == 2
  // VECTOR: misuse.cpp:[[@LINE+1]]:3: error: call to deleted function 'gradient': fluxion: f must be callable as f(const T *x), {{.*}}a function of a std::vector or std::array takes the container, which gradient, value_and_grad, jvp and vjp accept in place of the pointer
  fluxion::gradient(scalar_vector, xv.data(), gv.data(), 2);
#elif CASE == 3
  std::function<double(const double *)> wrapped = scalar_d;
  // STDFUNCTION: misuse.cpp:[[@LINE+1]]:3: error: call to deleted function 'gradient': fluxion: f is a std::function, which hides the function it calls from the compiler; pass the lambda, function object or function itself
  fluxion::gradient(wrapped, x, g, 2);
#elif CASE == 4
  // RESULT: misuse.cpp:[[@LINE+1]]:3: error: call to deleted function 'gradient': fluxion: f must return a floating-point value
  fluxion::gradient(scalar_int, x, g, 2);
#elif CASE == 5
  // MAP: misuse.cpp:[[@LINE+1]]:3: error: call to deleted function 'jvp': fluxion: f must be callable as f(const T *x, T *y), T the element type of x and y
  fluxion::jvp(map_f, x, x, y, g, 2, 1);
#elif CASE == 6
  // MIXED: misuse.cpp:[[@LINE+1]]:3: error: call to deleted function 'gradient': fluxion: the derivative arguments must be writable and hold the element type of x (float or double)
  fluxion::gradient(scalar_d, xv, gf);
#elif CASE == 7
  // PLAIN: misuse.cpp:[[@LINE+1]]:3: error: call to deleted function 'jacobian': fluxion: this entry point needs the function inside a type; pass a plain function as fluxion::fn<f> (lambdas work as is)
  fluxion::jacobian(map_d, x, H, 2, 1);
#elif CASE == 8
  // DRIVER: misuse.cpp:[[@LINE+1]]:3: error: call to deleted function 'hessian': fluxion: jacobian, hvp and hessian call f through pointers; make f take const T *x (and T *y)
  fluxion::hessian([](const std::vector<double> &v) { return v[0]; }, xv, gv);
#elif CASE == 9
  // SHADOW: misuse.cpp:[[@LINE+1]]:3: error: call to deleted function 'gradient': fluxion: f takes the container: the derivative arguments must be containers of the same type as x (as y for Jv and u)
  fluxion::gradient(scalar_vector, xv, ga);
#elif CASE == 10
  int xi[2] = {1, 2}, gi[2];
  // ELEMENT: misuse.cpp:[[@LINE+1]]:3: error: call to deleted function 'gradient': fluxion: the data must be float or double
  fluxion::gradient([](const int *p) { return double(p[0]); }, xi, gi, 2);
#elif CASE == 11
  view xs{x, 2};
  // CONTAINER: misuse.cpp:[[@LINE+1]]:3: error: call to deleted function 'gradient': fluxion: f takes a container, which works for std::vector and std::array; make f take const T * or pass one of those
  fluxion::gradient(scalar_view, xs, g);
#elif CASE == 12
  // BATCH: misuse.cpp:[[@LINE+1]]:3: error: call to deleted function 'batched_jacobian': fluxion: f must be callable as f(const T *x, T *y)
  fluxion::batched_jacobian(fluxion::whole_batch, fluxion::fn<map_f>, x, H, 2, 1, 1);
#elif CASE == 13
  // HVP: misuse.cpp:[[@LINE+1]]:3: error: call to deleted function 'hvp': fluxion: the derivative arguments must be writable and hold the element type of x (float or double)
  fluxion::hvp(lambda, xv, gf, gv);
#elif CASE == 14
  std::function<double(const std::vector<double> &)> wrapped = scalar_vector;
  // VALUE: misuse.cpp:[[@LINE+1]]:9: error: call to deleted function 'value_and_grad': fluxion: f is a std::function
  (void)fluxion::value_and_grad(wrapped, xv, gv);
#elif CASE == 15
  // COPY: misuse.cpp:[[@LINE+1]]:3: error: call to deleted function 'gradient': fluxion: a plain function of containers must take them by reference (const std::vector<T> &x); pass one that takes a copy or a view as fluxion::fn<f> or in a lambda
  fluxion::gradient(scalar_copy, xv, gv);
#endif
}
