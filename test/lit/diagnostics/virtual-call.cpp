// A virtual call whose target is unknown at compile time cannot be
// differentiated: an error at the call, not a guess.
// RUN: %not %fluxion-clang++ -O0 -c %s -o /dev/null 2>&1 | %FileCheck %s
extern "C" double __enzyme_autodiff(void *, ...);

struct Shape {
  virtual double area(double scale) const = 0;
  virtual ~Shape() = default;
};

double total(const Shape *s, double scale) {
  // CHECK: virtual-call.cpp:[[@LINE+1]]:{{[0-9]+}}: error: fluxion: cannot differentiate a call through a function pointer whose target is unknown at compile time
  return s->area(scale) * scale;
}

double gradient(const Shape *s, double scale) {
  return __enzyme_autodiff((void *)total, s, s, scale);
}
