; A rule whose signature does not match the convention is an error naming
; the rule.
; RUN: %not %opt -passes=fluxion -disable-output %s 2>&1 | %FileCheck %s
; CHECK: error: {{.*}}fluxion: forward rule 'ext_fwd' for 'ext' takes 1 parameters, expected 2

declare double @__enzyme_fwddiff(ptr, ...)
declare double @ext(double)
declare double @ext_fwd(double)
@__enzyme_register_derivative_ext = global [2 x ptr] [ptr @ext, ptr @ext_fwd]

define double @f(double %x) {
  %e = call double @ext(double %x)
  ret double %e
}
define double @forward(double %x) {
  %d = call double (ptr, ...) @__enzyme_fwddiff(ptr @f, double %x, double 1.0)
  ret double %d
}
