/* The Horner recurrence of same-as-c.mlir, differentiated by the LLVM
 * plugin: prints the gradient in x and y, one number a line. */
#include <math.h>
#include <stdio.h>

typedef struct {
  double dx, dy;
} gradient;

gradient __enzyme_autodiff(void *, ...);
extern int enzyme_const;

static double horner(double x, double y, const double *w, int n) {
  double acc = y;
  for (int i = 0; i < n; i++)
    acc = acc * x + w[i] * sin(y * i / n);
  return acc * acc;
}

int main(void) {
  double w[6];
  for (int i = 0; i < 6; i++)
    w[i] = cos(i);
  gradient g = __enzyme_autodiff((void *)horner, 0.9, 0.4, enzyme_const, w,
                                 enzyme_const, 6);
  printf("%g\n%g\n", g.dx, g.dy);
  return 0;
}
