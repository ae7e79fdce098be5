// A tape that does not fit in memory ends the program with a message
// instead of a write through a null pointer. The limit is set without the
// sanitizer runtime preloaded (it cannot reserve its shadow under one).
// RUN: %fluxion-clang -O2 %s -o %t -lm
// RUN: %t 1000
// RUN: env -u LD_PRELOAD sh -c 'ulimit -v 400000; %not --crash %t 100000000 2>&1' | %FileCheck %s
// CHECK: fluxion: out of memory: cannot allocate {{[0-9]+}} bytes of reverse-mode tape
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
double __enzyme_autodiff(void *, ...);

// The trip count is unknown until the loop runs, so the tape grows.
double f(double x, long n) {
  double v = x;
  for (long i = 0; i < n && v < 1e300; i++) {
    v = sin(v) * x;
    if (v > 100)
      v = v * 0.5;
  }
  return v;
}

int main(int argc, char **argv) {
  printf("%g\n", __enzyme_autodiff((void *)f, 0.5, atol(argv[1])));
  return 0;
}
