// Enzyme spellings Fluxion does not implement, and misused split-mode and
// return options, are errors at the call that name them; none becomes a link
// error or an ordinary argument.
// RUN: %not %fluxion-clang -O2 -c %s -o /dev/null 2>&1 | %FileCheck %s
// RUN: %not %fluxion-clang -O0 -c %s -o /dev/null 2>&1 | %FileCheck %s
double __enzyme_autodiff(void *, ...);
double __enzyme_fwddiff(void *, ...);
void *__enzyme_augmentfwd(void *, ...);
void __enzyme_reverse(void *, ...);
double __enzyme_batch(void *, ...);
double __enzyme_todense(void *, ...);
double __enzyme_fwdsplit(void *, ...);
void *__enzyme_virtualreverse(void *);
void *__enzyme_virtualreverse_two(void *, void *);
double __ad_jacobian(void *, ...);
extern int enzyme_runtime_activity, enzyme_strong_zero, enzyme_frobnicate;
extern int enzyme_allocated, enzyme_tape, enzyme_primal_return;
extern int enzyme_dup, enzyme_const, enzyme_dupv;
extern int enzyme_width, enzyme_vector;

double sq(double x) { return x * x; }
double mul(double x, double y) { return x * y; }
void scale(double *x) { x[0] *= 3.0; }
void nothing(double *x) { x[0] = 0; }

double batch_without_width(double x) {
  // CHECK-DAG: enzyme-builtins.c:[[@LINE+1]]:10: error: fluxion: __enzyme_batch must begin with enzyme_width and a constant between 1 and 64 after the function
  return __enzyme_batch((void *)sq, x);
}
double batch_too_few(double x) {
  // CHECK-DAG: enzyme-builtins.c:[[@LINE+1]]:10: error: fluxion: __enzyme_batch needs 2 values for parameter 2 of 'mul'
  return __enzyme_batch((void *)mul, enzyme_width, 2, x, x, x);
}
double batch_marker(double x) {
  // CHECK-DAG: enzyme-builtins.c:[[@LINE+1]]:10: error: fluxion: only enzyme_vector and enzyme_scalar may mark the arguments of __enzyme_batch
  return __enzyme_batch((void *)sq, enzyme_width, 2, enzyme_dup, x, x);
}
unsigned long long __enzyme_iter_one(unsigned long long);
unsigned long long iteration_count_without_step(void) {
  // CHECK-DAG: enzyme-builtins.c:[[@LINE+1]]:10: error: fluxion: __enzyme_iter takes two integers, the count and its step per derivative, and returns one
  return __enzyme_iter_one(5);
}
double vector_outside_batch(double x) {
  // CHECK-DAG: enzyme-builtins.c:[[@LINE+1]]:10: error: fluxion: enzyme_vector and enzyme_scalar belong to __enzyme_batch, not to __enzyme_autodiff
  return __enzyme_autodiff((void *)sq, enzyme_vector, x);
}
double todense(double x) {
  // CHECK-DAG: enzyme-builtins.c:[[@LINE+1]]:10: error: fluxion: __enzyme_todense takes a load function, a store function and their extra arguments, and returns a pointer
  return __enzyme_todense((void *)sq, x);
}
double forward_split(double x) {
  // CHECK-DAG: enzyme-builtins.c:[[@LINE+1]]:10: error: fluxion: '__enzyme_fwdsplit' is not supported by Fluxion
  return __enzyme_fwdsplit((void *)sq, x, 0.0);
}
void *virtual_reverse(void *computed) {
  // CHECK-DAG: enzyme-builtins.c:[[@LINE+1]]:10: error: fluxion: the argument of __enzyme_virtualreverse must be a function or a virtual table known at compile time
  return __enzyme_virtualreverse(computed);
}
void *virtual_reverse_two(void) {
  // CHECK-DAG: enzyme-builtins.c:[[@LINE+1]]:10: error: fluxion: __enzyme_virtualreverse takes one argument: a function or the virtual table of an object
  return __enzyme_virtualreverse_two((void *)sq, (void *)sq);
}
double unknown_builtin(double x) {
  // CHECK-DAG: enzyme-builtins.c:[[@LINE+1]]:10: error: fluxion: '__ad_jacobian' is not supported by Fluxion
  return __ad_jacobian((void *)sq, x);
}

double runtime_activity(double *x, double *dx) {
  // CHECK-DAG: enzyme-builtins.c:[[@LINE+1]]:10: error: fluxion: the marker 'enzyme_runtime_activity' is not supported: Fluxion decides activity at compile time
  return __enzyme_autodiff((void *)scale, enzyme_runtime_activity, x, dx);
}
double strong_zero(double x) {
  // CHECK-DAG: enzyme-builtins.c:[[@LINE+1]]:10: error: fluxion: the marker 'enzyme_strong_zero' is not supported: adjoints follow IEEE arithmetic
  return __enzyme_autodiff((void *)sq, enzyme_strong_zero, x);
}
double batched_argument(double *x, double *dx) {
  // CHECK-DAG: enzyme-builtins.c:[[@LINE+1]]:10: error: fluxion: the marker 'enzyme_dupv' is not supported: batched arguments are not implemented
  return __enzyme_autodiff((void *)scale, enzyme_dupv, 8, x, dx);
}
double unknown_marker(double x) {
  // CHECK-DAG: enzyme-builtins.c:[[@LINE+1]]:10: error: fluxion: the marker 'enzyme_frobnicate' is not supported (unknown to Fluxion)
  return __enzyme_autodiff((void *)sq, enzyme_frobnicate, x);
}

void small_tape(double *x, double *dx, void *memory) {
  // CHECK-DAG: enzyme-builtins.c:[[@LINE+1]]:3: error: fluxion: the tape of 'scale' needs {{[0-9]+}} bytes; enzyme_allocated gives 1
  __enzyme_reverse((void *)scale, x, dx, enzyme_allocated, 1, enzyme_tape,
                   memory);
}
void allocated_alone(double *x, double *dx) {
  // CHECK-DAG: enzyme-builtins.c:[[@LINE+1]]:3: error: fluxion: enzyme_allocated needs enzyme_tape: the memory the tape is written to
  __enzyme_augmentfwd((void *)scale, x, dx, enzyme_allocated, 64);
}
double tape_outside_split_mode(double x, void *memory) {
  // CHECK-DAG: enzyme-builtins.c:[[@LINE+1]]:10: error: fluxion: __enzyme_autodiff: enzyme_tape, enzyme_allocated and enzyme_nofree belong to split mode
  return __enzyme_autodiff((void *)sq, x, enzyme_tape, memory);
}
double primal_of_void(double *x, double *dx) {
  // CHECK-DAG: enzyme-builtins.c:[[@LINE+1]]:10: error: fluxion: enzyme_primal_return asks for the result of 'nothing', which returns void
  return __enzyme_fwddiff((void *)nothing, enzyme_primal_return, x, dx);
}

// Two adjoints do not fit in the double the builtin is declared to return.
double too_small_result(double x, double y) {
  // CHECK-DAG: enzyme-builtins.c:[[@LINE+1]]:10: error: fluxion: __enzyme_autodiff returns the adjoints of 2 out parameters; declare it to return a struct of them
  return __enzyme_autodiff((void *)mul, x, y);
}

// A reverse-mode call declared void drops adjoints: a warning, since Enzyme
// programs may not need them.
void discarded(double x) {
  // CHECK-DAG: enzyme-builtins.c:[[@LINE+1]]:3: warning: fluxion: __enzyme_reverse is declared to return void and discards what it computes: it returns the adjoint of 1 out parameter
  __enzyme_reverse((void *)sq, x, 1.0, (void *)0);
}
