// A virtual call is differentiated in reverse mode through the derivative
// record the shadow object's virtual table points to. Where there is no
// shadow to dispatch through, or in forward mode, it is an error at the
// call, not a guess.
// RUN: %not %fluxion-clang++ -O0 -c %s -o /dev/null 2>&1 | %FileCheck %s
// RUN: %not %fluxion-clang++ -O2 -c %s -o /dev/null 2>&1 | %FileCheck %s
extern "C" double __enzyme_autodiff(void *, ...);
extern "C" double __enzyme_fwddiff(void *, ...);
extern int enzyme_const;

struct Shape {
  virtual double area(double scale) const = 0;
  virtual ~Shape() = default;
};

__attribute__((noinline)) double total(const Shape *s, double scale) {
  // CHECK-DAG: virtual-call.cpp:[[@LINE+1]]:{{[0-9]+}}: error: fluxion: cannot differentiate a call through a function pointer whose target is unknown at compile time; reverse mode calls the derivative record that the pointer's shadow points to (__enzyme_virtualreverse), but this pointer has no shadow
  return s->area(scale) * scale;
}

__attribute__((noinline)) double tangent_total(const Shape *s, double scale) {
  // CHECK-DAG: virtual-call.cpp:[[@LINE+1]]:{{[0-9]+}}: error: fluxion: cannot differentiate a call through a function pointer whose target is unknown at compile time{{$}}
  return s->area(scale) * scale;
}

double gradient(const Shape *s, double scale) {
  return __enzyme_autodiff((void *)total, enzyme_const, s, scale);
}

double tangent(const Shape *s, const Shape *ds, double scale) {
  return __enzyme_fwddiff((void *)tangent_total, s, ds, scale, 1.0);
}
