// An error in code inlined from a header is located in the header and names
// the line of the user's code it was inlined into.
// RUN: %not %fluxion-clang -O2 -c %s -o /dev/null 2>&1 | %FileCheck %s
#include "Inputs/bit-tricks.h"
double __enzyme_autodiff(void *, ...);

double scaled(double x) {
  // CHECK: bit-tricks.h:{{[0-9]+}}:{{[0-9]+}}: error: fluxion: the derivative of an active value would be lost: its bits pass through integer operations {{.*}} (inlined into {{.*}}inlined-header.c:[[@LINE+1]]:{{[0-9]+}})
  return bit_double(x) * x;
}

double gradient(double x) { return __enzyme_autodiff((void *)scaled, x); }
