// The attributes in C++: on templates (each instance, float and double, is
// marked), on a static data member written with [[enzyme::inactive]], and on
// a member function. Reverse and forward mode are checked against closed
// forms, to a relative 1e-12 in double and 1e-5 in float.
// RUN: %fluxion-clang++ -O0 %s -o %t0 && %t0
// RUN: %fluxion-clang++ -O2 %s -o %t2 && %t2
// RUN: %fluxion-clang++ -O0 -S -emit-llvm -Xclang -disable-llvm-passes %s -o - | %FileCheck %s --check-prefix=ANNOTATION
// RUN: %fluxion-clang++ -O2 -S -emit-llvm -Xclang -disable-llvm-passes %s -o - | %FileCheck %s --check-prefix=ANNOTATION
// ANNOTATION-DAG: @[[INACTIVE:[^ ]+]] = {{.*}} c"fluxion.inactive\00", section "llvm.metadata"
// ANNOTATION-DAG: @[[LOG1P:[^ ]+]] = {{.*}} c"fluxion.function_like:log1p\00", section "llvm.metadata"
// ANNOTATION-DAG: { ptr @_ZN7Counter4lastE, ptr @[[INACTIVE]],
// ANNOTATION-DAG: { ptr @_Z10log1p_likeIdET_S0_, ptr @[[LOG1P]],
// ANNOTATION-DAG: { ptr @_Z10log1p_likeIfET_S0_, ptr @[[LOG1P]],
// ANNOTATION-DAG: { ptr @_Z5scaleIdET_S0_, ptr @[[INACTIVE]],
// ANNOTATION-DAG: { ptr @_Z5scaleIfET_S0_, ptr @[[INACTIVE]],
// ANNOTATION-DAG: { ptr @_ZN7Counter4noteEd, ptr @[[INACTIVE]],
#include <cmath>
#include <cstdio>

template <typename T> T __enzyme_autodiff(void *, T);
template <typename T> T __enzyme_fwddiff(void *, T, T);

// Differentiated like log1p: 1 / (1 + x), whatever the body computes.
template <typename T>
__attribute__((enzyme_function_like("log1p"))) T log1p_like(T x) {
  return 2 * x;
}

// No derivative at all.
template <typename T> [[fluxion::inactive]] T scale(T x) { return x * x; }

struct Counter {
  [[enzyme::inactive]] static double last;
  __attribute__((enzyme_inactive)) static double note(double x) {
    last = x;
    return x;
  }
};
double Counter::last = 0;

template <typename T> T f(T x) {
  Counter::last = Counter::note(x) * x;
  return log1p_like(x) + scale(x) * x;
}

// d/dx [log1p(x) + s x] with s = x^2 held constant.
template <typename T> T df(T x) { return 1 / (1 + x) + x * x; }

template <typename T> int check(const char *what, T got, T want, T tol) {
  if (std::fabs(got - want) <= tol * std::fabs(want))
    return 0;
  std::printf("%s: got %.17g, want %.17g\n", what, (double)got, (double)want);
  return 1;
}

int main() {
  int failures = 0;
  for (double x = 0.25; x < 3; x += 0.25) {
    float xf = (float)x;
    failures += check("reverse double", __enzyme_autodiff((void *)f<double>, x),
                      df(x), 1e-12);
    failures +=
        check("forward double", __enzyme_fwddiff((void *)f<double>, x, 1.0),
              df(x), 1e-12);
    failures += check("reverse float", __enzyme_autodiff((void *)f<float>, xf),
                      df(xf), 1e-5f);
    failures +=
        check("forward float", __enzyme_fwddiff((void *)f<float>, xf, 1.0f),
              df(xf), 1e-5f);
  }
  return failures != 0;
}
