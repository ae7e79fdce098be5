; The bits of an active value passed through integer operations and made
; into a float again would lose the derivative: a compile error, not a wrong
; answer (here a doubling by adding one to the exponent field).
; RUN: %not %opt -passes=fluxion -disable-output %s 2>&1 | %FileCheck %s

; CHECK: error: {{.*}}fluxion: the derivative of an active value would be lost: its bits pass through integer operations ('doubled'); keep the arithmetic in floating point (in function 'bit_double')

define double @bit_double(double %x) {
  %bits = bitcast double %x to i64
  %doubled = add i64 %bits, 4503599627370496
  %y = bitcast i64 %doubled to double
  %r = fmul double %y, %x
  ret double %r
}

declare double @__enzyme_autodiff(ptr, ...)

define double @caller(double %x) {
  %g = call double (ptr, ...) @__enzyme_autodiff(ptr @bit_double, double %x)
  ret double %g
}
