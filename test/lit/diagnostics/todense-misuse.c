// A pointer from __enzyme_todense is not memory: only loads and stores
// through it have a meaning. Anything else is an error at the instruction,
// as are access functions that do not fit the accesses.
// RUN: %not %fluxion-clang -O2 -c %s -o /dev/null 2>&1 | %FileCheck %s
// RUN: %not %fluxion-clang -O0 -c %s -o /dev/null 2>&1 | %FileCheck %s
#include <stdint.h>

double *__enzyme_todense(void *, void *, ...);
void consume(double *);

static double read(int64_t offset, long row) { return offset == row * 8; }
static void write(double v, int64_t offset, long row) {}
static double read_two(int64_t offset) { return 0; }

void escapes(long row) {
  double *view = __enzyme_todense((void *)read, (void *)write, row);
  // CHECK-DAG: todense-misuse.c:[[@LINE+1]]:3: error: fluxion: a pointer returned by __enzyme_todense reaches this instruction, which neither loads nor stores through it
  consume(view);
}

double wrong_arity(long row) {
  double *view = __enzyme_todense((void *)read_two, (void *)write, row);
  // CHECK-DAG: todense-misuse.c:[[@LINE+1]]:10: error: fluxion: the access function 'read_two' given to __enzyme_todense takes 1 parameters, expected 2
  return view[3];
}

double *unknown(void *load, long row) {
  // CHECK-DAG: todense-misuse.c:[[@LINE+1]]:10: error: fluxion: the load and store functions of __enzyme_todense must be known at compile time
  return __enzyme_todense(load, (void *)write, row);
}

double merged(long row, double *other, int c) {
  double *view = __enzyme_todense((void *)read, (void *)write, row);
  // CHECK-DAG: todense-misuse.c:[[@LINE+1]]:15: error: fluxion: a pointer returned by __enzyme_todense is merged here with other memory or another view
  double *p = c ? view : other;
  return p[1];
}
