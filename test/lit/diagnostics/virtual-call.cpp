// A virtual call is differentiated through the derivative record the shadow
// object's virtual table points to. Where there is no shadow to dispatch
// through, it is an error at the call, not a guess.
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
  // CHECK-DAG: virtual-call.cpp:[[@LINE+1]]:{{[0-9]+}}: error: fluxion: cannot differentiate a call through a function pointer whose target is unknown at compile time; the derivative calls the derivative record that the pointer's shadow points to (__enzyme_virtualreverse), but this pointer has no shadow
  return s->area(scale) * scale;
}

__attribute__((noinline)) double tangent_total(const Shape *s, double scale) {
  // CHECK-DAG: virtual-call.cpp:[[@LINE+1]]:{{[0-9]+}}: error: fluxion: cannot differentiate a call through a function pointer whose target is unknown at compile time; the derivative calls the derivative record that the pointer's shadow points to (__enzyme_virtualreverse), but this pointer has no shadow
  return s->area(scale) * scale;
}

double gradient(const Shape *s, double scale) {
  return __enzyme_autodiff((void *)total, enzyme_const, s, scale);
}

double tangent(const Shape *s, double scale) {
  return __enzyme_fwddiff((void *)tangent_total, enzyme_const, s, scale, 1.0);
}

// The derivative record of a call through a function pointer has no place
// for variadic arguments, a returned shadow, or a pointer without a shadow.
struct Callbacks {
  double (*sum)(int, ...);
  double *(*pick)(double *);
  double (*weigh)(const double *, double);
};

__attribute__((noinline)) double variadic(Callbacks *c, double x) {
  // CHECK-DAG: virtual-call.cpp:[[@LINE+1]]:{{[0-9]+}}: error: fluxion: cannot differentiate a call through a function pointer to a variadic function; give it a fixed parameter list
  return c->sum(1, x);
}

__attribute__((noinline)) double picked(Callbacks *c, double *x) {
  // CHECK-DAG: virtual-call.cpp:[[@LINE+1]]:{{[0-9]+}}: error: fluxion: a call through a function pointer cannot return a pointer to memory with derivatives: its derivative record returns no shadow
  double *p = c->pick(x);
  return *p * *p;
}

__attribute__((noinline)) double weighed(Callbacks *c, const double *w,
                                         double x) {
  // CHECK-DAG: virtual-call.cpp:[[@LINE+1]]:{{[0-9]+}}: error: fluxion: argument 1 of a call through a function pointer is a pointer without a shadow, which its derivative record needs: pass that memory as duplicated
  return c->weigh(w, x);
}

extern int enzyme_dup;
double callbacks(Callbacks *c, Callbacks *dc, double *x, double *dx,
                 const double *w) {
  return __enzyme_autodiff((void *)variadic, enzyme_dup, c, dc, 1.0) +
         __enzyme_autodiff((void *)picked, enzyme_dup, c, dc, enzyme_dup, x,
                           dx) +
         __enzyme_autodiff((void *)weighed, enzyme_dup, c, dc, enzyme_const,
                           w, 2.0);
}
