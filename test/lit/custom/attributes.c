// enzyme_inactive and fluxion_inactive, as Enzyme's clang plugin defines
// them: a marked function carries no derivative (its body is never
// differentiated, and one without a body needs no rule), and a marked global
// holds none, so storing an active value into it is no error. The program
// checks reverse and forward mode against the closed form of what is left,
// d/dx 3x^2 = 6x, to a relative 1e-12.
//
// noise is only declared here; its definition is compiled separately.
// RUN: %fluxion-clang -O0 -DNOISE_DEFINITION -c %s -o %t.noise.o
// RUN: %fluxion-clang -O0 %s %t.noise.o -o %t0 -lm && %t0
// RUN: %fluxion-clang -O2 %s %t.noise.o -o %t2 -lm && %t2
//
// clang lowers the attributes to annotations, for declarations without a
// body too, at every optimization level.
// RUN: %fluxion-clang -O0 -S -emit-llvm -Xclang -disable-llvm-passes %s -o - | %FileCheck %s --check-prefix=ANNOTATION
// RUN: %fluxion-clang -O2 -S -emit-llvm -Xclang -disable-llvm-passes %s -o - | %FileCheck %s --check-prefix=ANNOTATION
// ANNOTATION: @[[INACTIVE:[^ ]+]] = {{.*}} c"fluxion.inactive\00", section "llvm.metadata"
// ANNOTATION: @llvm.global.annotations = {{.*}} { ptr @f.calls, ptr @[[INACTIVE]], {{.*}} { ptr @last_square, ptr @[[INACTIVE]], {{.*}} { ptr @doubled, ptr @[[INACTIVE]], {{.*}} { ptr @noise, ptr @[[INACTIVE]],
//
// Fluxion reads them into attributes and consumes the annotations.
// RUN: %fluxion-clang -O0 -S -emit-llvm %s -o - | %FileCheck %s
// CHECK-NOT: @llvm.global.annotations
// CHECK: @last_square = {{.*}}global double 0.000000e+00, align 8 #[[GLOBAL:[0-9]+]]
// CHECK-NOT: @llvm.global.annotations
// CHECK: define {{.*}}double @doubled(double {{.*}}) #[[FN:[0-9]+]]
// CHECK: declare {{.*}}double @noise(double {{.*}}) #[[DECL:[0-9]+]]
// CHECK-DAG: attributes #[[GLOBAL]] = { "fluxion_inactive" }
// CHECK-DAG: attributes #[[FN]] = { {{.*}}noinline{{.*}}"fluxion_inactive"
// CHECK-DAG: attributes #[[DECL]] = { {{.*}}"fluxion_inactive"
#include <math.h>
#include <stdio.h>

#ifdef NOISE_DEFINITION
double noise(double x) { return sin(x); }
#else
double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);

__attribute__((enzyme_inactive)) double doubled(double x) { return 2 * x; }
double noise(double) __attribute__((fluxion_inactive));
double last_square __attribute__((enzyme_inactive));

double f(double x) {
  static int calls __attribute__((enzyme_inactive));
  ++calls;
  last_square = x * x;
  return 3 * x * x + doubled(x) + noise(x);
}

static int check(const char *what, double got, double want) {
  if (fabs(got - want) <= 1e-12 * fabs(want))
    return 0;
  printf("%s: got %.17g, want %.17g\n", what, got, want);
  return 1;
}

int main(void) {
  int failures = 0;
  for (double x = -1.5; x < 2; x += 0.25) {
    failures += check("reverse", __enzyme_autodiff((void *)f, x), 6 * x);
    failures += check("forward", __enzyme_fwddiff((void *)f, x, 1.0), 6 * x);
    // The primal store still happens.
    failures += check("stored", last_square, x * x);
  }
  return failures != 0;
}
#endif
