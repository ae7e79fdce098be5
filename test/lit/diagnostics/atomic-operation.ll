; An atomic read-modify-write other than add or subtract of an active value
; into memory with a shadow has no derivative: the error names the
; operation.
; RUN: %not %opt -passes=fluxion -disable-output %s 2>&1 | %FileCheck %s

; CHECK: error: {{.*}}fluxion: cannot differentiate atomic 'fmax' on memory that holds derivatives; only atomic adds and subtractions have one (in function 'keep_max')

define void @keep_max(ptr %p, double %x) {
  %old = atomicrmw fmax ptr %p, double %x seq_cst
  ret void
}

declare double @__enzyme_autodiff(ptr, ...)

define void @max_caller(ptr %p, ptr %dp, double %x) {
  %g = call double (ptr, ...) @__enzyme_autodiff(ptr @keep_max, ptr %p, ptr %dp, double %x)
  ret void
}
