// Errors name C++ functions as the source does, not by their mangled
// symbols, and types in the source's words.
// RUN: %not %fluxion-clang++ -O2 -c %s -o /dev/null 2>&1 | %FileCheck %s
// RUN: %not %fluxion-clang++ -O0 -c %s -o /dev/null 2>&1 | %FileCheck %s
extern "C" double __enzyme_autodiff(void *, ...);

namespace phys {
double external_field(double x);
double potential(double x, double *charges) {
  // CHECK-DAG: cpp-names.cpp:[[@LINE+1]]:{{[0-9]+}}: error: fluxion: no derivative rule for external function 'phys::external_field(double)'
  return external_field(x) * charges[0];
}
double energy(double x, double y) { return x * y; }
} // namespace phys

double gradient(double x, double *q, double *dq) {
  return __enzyme_autodiff((void *)phys::potential, x, q, dq);
}

double too_few(double x) {
  // CHECK-DAG: cpp-names.cpp:[[@LINE+1]]:10: error: fluxion: too few arguments to __enzyme_autodiff: 'phys::energy(double, double)' takes 2 parameters, no value given for parameter 2
  return __enzyme_autodiff((void *)phys::energy, x);
}
