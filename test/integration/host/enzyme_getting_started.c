/* Enzyme's "getting started" program, unchanged apart from the checks: the
 * builtins declared with exact (non-variadic) prototypes, the function
 * passed with and without a (void*) cast. */
#include <stdio.h>
#include "check.h"

extern double __enzyme_autodiff(void*, double);
extern double __enzyme_fwddiff(void*, double, double);

double square(double x) {
    return x * x;
}
double dsquare(double x) {
    // This returns the derivative of square or 2 * x
    return __enzyme_autodiff((void*) square, x);
}
double dsquare_nocast(double x) {
    return __enzyme_autodiff(square, x);
}
double dsquare_fwd(double x) {
    return __enzyme_fwddiff((void*) square, x, 1.0);
}

int main() {
    for(double i=1; i<5; i++) {
        printf("square(%f)=%f, dsquare(%f)=%f\n", i, square(i), i, dsquare(i));
        CHECK_DERIV(dsquare(i), 2 * i, fd1(square, i));
        CHECK_DERIV(dsquare_nocast(i), 2 * i, fd1(square, i));
        CHECK_DERIV(dsquare_fwd(i), 2 * i, fd1(square, i));
    }
    return report();
}
