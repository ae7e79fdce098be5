/* Calls through function pointers read from globals the program never
 * writes: an operation table initialized with functions of this file (one
 * static, one visible to other translation units, which the derivative
 * checks at run time) and an allocator reached through a struct of hooks.
 *   ops(x)   = 3 * cube(x) + square(x)      d/dx = 9 x^2 + 2 x
 *   alloc(x) = (x * x on the heap) squared  d/dx = 4 x^3
 * Closed forms (TOL_CLOSED) and central finite differences (TOL_FD), in
 * reverse and forward mode. */
#include "memcheck.h"

double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);

static double cube(double x) { return x * x * x; }
static double square(double x) { return x * x; }

static double (*const_op)(double) = cube;
struct table {
  int version;
  double (*op)(double);
};
struct table shared_ops = {1, square};

struct hooks {
  void *(*allocate)(unsigned long);
  void (*release)(void *);
} memory_hooks = {malloc, free};

static double ops(double x) { return 3 * const_op(x) + shared_ops.op(x); }

static double through_hooks(double x) {
  double *cell = memory_hooks.allocate(sizeof(double));
  *cell = x * x;
  double y = *cell * *cell;
  memory_hooks.release(cell);
  return y;
}

int main(void) {
  for (int t = 0; t < 3; ++t) {
    double x = -1.1 + 0.9 * t;
    double closed = 9 * x * x + 2 * x;
    CHECK_DERIV(__enzyme_autodiff((void *)ops, x), closed, fd1(ops, x));
    CHECK_DERIV(__enzyme_fwddiff((void *)ops, x, 1.0), closed, fd1(ops, x));
    closed = 4 * x * x * x;
    CHECK_DERIV(__enzyme_autodiff((void *)through_hooks, x), closed,
                fd1(through_hooks, x));
    CHECK_DERIV(__enzyme_fwddiff((void *)through_hooks, x, 1.0), closed,
                fd1(through_hooks, x));
  }
  return report();
}
