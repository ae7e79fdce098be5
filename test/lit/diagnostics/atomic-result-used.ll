; An atomic add whose returned value feeds the derivative is an error: that
; value depends on the order threads run in.
; RUN: %not %opt -passes=fluxion -disable-output %s 2>&1 | %FileCheck %s

; CHECK: error: {{.*}}fluxion: the value an atomic add returns is used in the derivative, but it depends on the order threads run in; read the memory after a barrier instead (in function 'accumulate')

define double @accumulate(ptr %p, double %x) {
  %old = atomicrmw fadd ptr %p, double %x seq_cst
  %r = fmul double %old, %x
  ret double %r
}

declare double @__enzyme_autodiff(ptr, ...)

define double @add_caller(ptr %p, ptr %dp, double %x) {
  %g = call double (ptr, ...) @__enzyme_autodiff(ptr @accumulate, ptr %p, ptr %dp, double %x)
  ret double %g
}
