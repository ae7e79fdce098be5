// enzyme_function_like("name") and the __enzyme_function_like registration
// global: every call of the function is differentiated with the derivative
// rule of math function `name`; the body (deliberately something else here)
// is never differentiated, and a function without a body needs no rule. The
// program checks reverse and forward mode against the closed forms of the
// named functions' derivatives, to a relative 1e-12 in double and 1e-5 in
// float.
//
// ext_log is only declared here; its definition is compiled separately.
// RUN: %fluxion-clang -O0 -DEXT_LOG_DEFINITION -c %s -o %t.log.o
// RUN: %fluxion-clang -O0 %s %t.log.o -o %t0 -lm && %t0
// RUN: %fluxion-clang -O2 %s %t.log.o -o %t2 -lm && %t2
//
// RUN: %fluxion-clang -O0 -S -emit-llvm -Xclang -disable-llvm-passes %s -o - | %FileCheck %s --check-prefix=ANNOTATION
// RUN: %fluxion-clang -O2 -S -emit-llvm -Xclang -disable-llvm-passes %s -o - | %FileCheck %s --check-prefix=ANNOTATION
// ANNOTATION-DAG: @[[LOG1P:[^ ]+]] = {{.*}} c"fluxion.function_like:log1p\00", section "llvm.metadata"
// ANNOTATION-DAG: @[[ATAN2:[^ ]+]] = {{.*}} c"fluxion.function_like:atan2\00", section "llvm.metadata"
// ANNOTATION-DAG: @[[LOG:[^ ]+]] = {{.*}} c"fluxion.function_like:log\00", section "llvm.metadata"
// ANNOTATION-DAG: { ptr @log1p_like, ptr @[[LOG1P]],
// ANNOTATION-DAG: { ptr @angle, ptr @[[ATAN2]],
// ANNOTATION-DAG: { ptr @ext_log, ptr @[[LOG]],
//
// At -O2 the calls stay calls (nothing inlines them before Fluxion runs),
// and no derivative of their bodies is made.
// RUN: %fluxion-clang -O2 -S -emit-llvm %s -o - | %FileCheck %s
// CHECK: define {{.*}} @f(
// CHECK-DAG: call {{.*}}double @log1p_like(
// CHECK-DAG: call {{.*}}double @angle(
// CHECK-DAG: call {{.*}}double @sine_like(
// CHECK-NOT: define {{.*}}@fluxion.{{[a-z]+}}.{{(log1p_like|angle|sine_like|cos_like)}}
// CHECK: attributes #{{[0-9]+}} = { {{.*}}noinline{{.*}}"fluxion-function-like"="log1p"
#include <math.h>
#include <stdio.h>

#ifdef EXT_LOG_DEFINITION
double ext_log(double x) { return log(x); }
#else
typedef struct {
  double dx, dy;
} gradient;
gradient __enzyme_autodiff(void *, ...);
float __enzyme_autodiff_float(void *, ...) __asm__("__enzyme_autodiff");
double __enzyme_fwddiff(void *, ...);
float __enzyme_fwddiff_float(void *, ...) __asm__("__enzyme_fwddiff");

__attribute__((enzyme_function_like("log1p"))) double log1p_like(double x) {
  return 2 * x;
}
[[fluxion_function_like("atan2")]] double angle(double y, double x) {
  return y / x;
}
double ext_log(double) __attribute__((fluxion_function_like("log")));

// Registered as Enzyme programs do, without the attribute.
double sine_like(double x) { return x - x * x * x / 6; }
float cos_like(float x) { return 1 - x * x / 2; }
void *__enzyme_function_like[2] = {(void *)sine_like, (void *)"sin"};
void *__enzyme_function_like_cos[2] = {(void *)cos_like, (void *)"cos"};

double f(double x, double y) {
  return log1p_like(x) + angle(y, x) + sine_like(x) * y + ext_log(x);
}
float g(float x) { return cos_like(x) * x; }

static int check(const char *what, double got, double want, double tol) {
  if (fabs(got - want) <= tol * fabs(want))
    return 0;
  printf("%s: got %.17g, want %.17g\n", what, got, want);
  return 1;
}

int main(void) {
  int failures = 0;
  for (double x = 0.25; x < 2; x += 0.25) {
    double y = 1.5 - x;
    double r2 = x * x + y * y;
    double dx = 1 / (1 + x) - y / r2 + cos(x) * y + 1 / x;
    double dy = x / r2 + sine_like(x);
    gradient grad = __enzyme_autodiff((void *)f, x, y);
    failures += check("reverse dx", grad.dx, dx, 1e-12);
    failures += check("reverse dy", grad.dy, dy, 1e-12);
    failures += check("forward dx", __enzyme_fwddiff((void *)f, x, 1.0, y, 0.0),
                      dx, 1e-12);
    failures += check("forward dy", __enzyme_fwddiff((void *)f, x, 0.0, y, 1.0),
                      dy, 1e-12);
    float xf = (float)x;
    double dg = -sinf(xf) * xf + cos_like(xf);
    failures += check("reverse float", __enzyme_autodiff_float((void *)g, xf),
                      dg, 1e-5);
    failures += check("forward float",
                      __enzyme_fwddiff_float((void *)g, xf, 1.0f), dg, 1e-5);
  }
  return failures != 0;
}
#endif
