// Malformed calls of the truncation builtins are errors at the call.
// RUN: %not %fluxion-clang -O0 -c %s -o /dev/null 2>&1 | %FileCheck %s
// RUN: %not %fluxion-clang -O2 -c %s -o /dev/null 2>&1 | %FileCheck %s
typedef double (*fn)(double);
fn __enzyme_truncate_op_func(void *, ...);
fn __enzyme_truncate_mem_func(void *, ...);
double __enzyme_truncate_mem_value(double, ...);
double __enzyme_expand_mem_value(double, ...);
float __enzyme_truncate_mem_value_f(float, ...);
double external(double);

double sq(double x) { return x * x; }
float sqf(float x) { return x * x; }

fn nonconstant_width(int to) {
  // CHECK-DAG: errors.c:[[@LINE+1]]:10: error: fluxion: the widths passed to __enzyme_truncate_op_func must be integer constants
  return __enzyme_truncate_op_func((void *)sq, 64, to);
}
fn unknown_from(void) {
  // CHECK-DAG: errors.c:[[@LINE+1]]:10: error: fluxion: __enzyme_truncate_op_func: 80 is not the width of a floating-point type (16, 32 or 64)
  return __enzyme_truncate_op_func((void *)sq, 80, 32);
}
fn unknown_to(void) {
  // CHECK-DAG: errors.c:[[@LINE+1]]:10: error: fluxion: __enzyme_truncate_mem_func: 24 is not the width of a floating-point format (16, 32, 64; pass exponent and mantissa widths for another)
  return __enzyme_truncate_mem_func((void *)sq, 64, 24);
}
fn wider(void) {
  // CHECK-DAG: errors.c:[[@LINE+1]]:10: error: fluxion: __enzyme_truncate_op_func: cannot truncate 32-bit floats to 64: the format truncated to needs 1 to 8 exponent bits and fewer than 23 mantissa bits
  return __enzyme_truncate_op_func((void *)sq, 32, 64);
}
fn too_many_mantissa_bits(void) {
  // CHECK-DAG: errors.c:[[@LINE+1]]:10: error: fluxion: __enzyme_truncate_op_func: cannot truncate 64-bit floats to 8-60: the format truncated to needs 1 to 11 exponent bits and fewer than 52 mantissa bits
  return __enzyme_truncate_op_func((void *)sq, 64, 8, 60);
}
fn wrong_type(void) {
  // CHECK-DAG: errors.c:[[@LINE+1]]:10: error: fluxion: __enzyme_truncate_op_func truncates double operations, but 'sqf' computes with float
  return __enzyme_truncate_op_func((void *)sqf, 64, 32);
}
fn runtime_function(fn f) {
  // CHECK-DAG: errors.c:[[@LINE+1]]:10: error: fluxion: the first argument of __enzyme_truncate_op_func must be a function known at compile time, not a function pointer computed at run time
  return __enzyme_truncate_op_func((void *)f, 64, 32);
}
fn no_body(void) {
  // CHECK-DAG: errors.c:[[@LINE+1]]:10: error: fluxion: cannot truncate 'external': its body is not available in this translation unit
  return __enzyme_truncate_op_func((void *)external, 64, 32);
}
fn no_widths(void) {
  // CHECK-DAG: errors.c:[[@LINE+1]]:10: error: fluxion: __enzyme_truncate_op_func takes the function, the width of its floating-point type and the width to truncate to (or the exponent and mantissa widths)
  return __enzyme_truncate_op_func((void *)sq);
}
double value_of_wrong_type(double x) {
  // CHECK-DAG: errors.c:[[@LINE+1]]:10: error: fluxion: __enzyme_expand_mem_value converts a half value; it was given double
  return __enzyme_expand_mem_value(x, 16, 5, 3);
}
float float_value(float x) {
  // CHECK-DAG: errors.c:[[@LINE+1]]:10: error: fluxion: __enzyme_truncate_mem_value converts a double value; it was given float
  return __enzyme_truncate_mem_value_f(x, 64, 32);
}
