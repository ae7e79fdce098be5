; An atomic read-modify-write of an active value is not differentiated yet;
; the error names the instruction.
; RUN: %not %opt -passes=fluxion -disable-output %s 2>&1 | %FileCheck %s

; CHECK: error: {{.*}}fluxion: cannot differentiate instruction 'atomicrmw' in 'accumulate'

define double @accumulate(ptr %p, double %x) {
  %old = atomicrmw fadd ptr %p, double %x seq_cst
  %r = fmul double %old, %x
  ret double %r
}

declare double @__enzyme_autodiff(ptr, ...)

define double @caller(ptr %p, ptr %dp, double %x) {
  %g = call double (ptr, ...) @__enzyme_autodiff(ptr @accumulate, ptr %p, ptr %dp, double %x)
  ret double %g
}
