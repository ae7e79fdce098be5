// A function declared like a math function must have that function's
// signature, since the rule reads the call's operands and result as the math
// function's: libm's prototype (of the float or long double variant for such
// a result), or for other rows (CUDA's rsqrt, rhypot, ...) the operands the
// rule differentiates, of the result's type. A mismatch is an error naming
// the function and its line (templates are checked once instantiated), never
// a body differentiated in silence; each is reported once.
// RUN: %not %fluxion-clang -O0 -c %s -o /dev/null 2>&1 | %FileCheck %s --implicit-check-not=error:
// RUN: %not %fluxion-clang -O2 -c %s -o /dev/null 2>&1 | %FileCheck %s --implicit-check-not=error:
double __enzyme_autodiff(void *, ...);

// CHECK: error: fluxion: {{.*}}function-like-signature.c:[[@LINE+1]]: 'truncated' cannot be differentiated like 'log1p': its parameter and result types are not those of 'log1p'
__attribute__((enzyme_function_like("log1p"))) int truncated(int x) {
  return x;
}
// CHECK: error: fluxion: {{.*}}function-like-signature.c:[[@LINE+1]]: 'two' cannot be differentiated like 'log1p': its parameter and result types are not those of 'log1p'
__attribute__((enzyme_function_like("log1p"))) double two(double x, double y) {
  return x + y;
}
// CHECK: error: fluxion: {{.*}}function-like-signature.c:[[@LINE+1]]: 'narrowing' cannot be differentiated like 'log1p': its parameter and result types are not those of 'log1p'
__attribute__((enzyme_function_like("log1p"))) float narrowing(double x) {
  return x;
}
// CHECK: error: fluxion: {{.*}}function-like-signature.c:[[@LINE+1]]: 'one' cannot be differentiated like 'pow': its parameter and result types are not those of 'pow'
__attribute__((fluxion_function_like("pow"))) double one(double x) { return x; }
// CHECK: error: fluxion: {{.*}}function-like-signature.c:[[@LINE+1]]: 'rounded' cannot be differentiated like 'rsqrt': it does not return a floating-point value
__attribute__((fluxion_function_like("rsqrt"))) long rounded(double x) {
  return x;
}
// CHECK: error: fluxion: {{.*}}function-like-signature.c:[[@LINE+1]]: 'half' cannot be differentiated like 'rhypot': 'rhypot' takes 2 parameters, it takes 1
__attribute__((fluxion_function_like("rhypot"))) double half(double x) {
  return x;
}
// CHECK: error: fluxion: {{.*}}function-like-signature.c:[[@LINE+1]]: 'widening' cannot be differentiated like 'rsqrt': parameter 1 does not have the type of its result
__attribute__((fluxion_function_like("rsqrt"))) double widening(float x) {
  return x;
}

// libm's own signatures pass: copysign's second operand and ldexp's integer
// exponent have no derivative, and log1p of a float is log1pf.
__attribute__((enzyme_function_like("copysign"))) double
magnitude_of(double x, double sign) {
  return x;
}
__attribute__((enzyme_function_like("ldexp"))) double scaled(double x, int n) {
  return x;
}
__attribute__((enzyme_function_like("log1p"))) float log1p_float(float x) {
  return x;
}

double f(double x) {
  return truncated((int)x) + two(x, x) + narrowing(x) + one(x) + rounded(x) +
         half(x) + widening((float)x) + magnitude_of(x, x) + scaled(x, 2) +
         log1p_float((float)x);
}
double grad(double x) { return __enzyme_autodiff((void *)f, x); }
