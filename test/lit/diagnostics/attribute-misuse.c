// Misused Enzyme attributes are errors at the attribute, so none is dropped
// and leaves a function to be differentiated through its body.
// RUN: %not %fluxion-clang -fsyntax-only %s 2>&1 | %FileCheck %s --implicit-check-not=error:
// RUN: %not %fluxion-clang -x c++ -fsyntax-only %s 2>&1 | %FileCheck %s --implicit-check-not=error:

int local(void) {
  // CHECK: attribute-misuse.c:[[@LINE+1]]:{{[0-9]+}}: error: 'enzyme_inactive' attribute only applies to functions and global variables
  int x __attribute__((enzyme_inactive)) = 1;
  return x;
}

// CHECK: attribute-misuse.c:[[@LINE+3]]:{{[0-9]+}}: error: 'fluxion_inactive' attribute only applies to functions and global variables
struct record {
  double x;
} __attribute__((fluxion_inactive));

// CHECK: attribute-misuse.c:[[@LINE+1]]:{{[0-9]+}}: error: 'enzyme_inactive' attribute takes no arguments
double with_argument(double) __attribute__((enzyme_inactive(1)));

// CHECK: attribute-misuse.c:[[@LINE+1]]:{{[0-9]+}}: error: 'enzyme_function_like' attribute requires one string literal argument, the name of a math function such as "log1p"
double no_name(double) __attribute__((enzyme_function_like));

// CHECK: attribute-misuse.c:[[@LINE+1]]:{{[0-9]+}}: error: 'enzyme_function_like' attribute requires one string literal argument, the name of a math function such as "log1p"
double not_a_string(double) __attribute__((enzyme_function_like(42)));

// CHECK: attribute-misuse.c:[[@LINE+1]]:{{[0-9]+}}: error: 'fluxion_function_like' attribute takes no more than 1 argument
double two_names(double) __attribute__((fluxion_function_like("log1p", "exp")));

// CHECK: attribute-misuse.c:[[@LINE+1]]:{{[0-9]+}}: error: 'enzyme_function_like' attribute names 'log1q', which has no derivative rule in Fluxion
double unknown(double) __attribute__((enzyme_function_like("log1q")));

// CHECK: attribute-misuse.c:[[@LINE+1]]:{{[0-9]+}}: error: 'enzyme_function_like' attribute only applies to functions
double variable __attribute__((enzyme_function_like("log1p")));

// clang drops the arguments of scoped plugin attributes; say so rather than
// "takes one argument".
// CHECK: attribute-misuse.c:[[@LINE+1]]:{{[0-9]+}}: error: clang drops the arguments of 'fluxion::function_like'; write __attribute__((fluxion_function_like("name"))) or {{\[\[}}fluxion_function_like("name")]] instead
[[fluxion::function_like("log1p")]] double scoped(double);
