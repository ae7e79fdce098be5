; Reverse mode cannot reverse through realloc of active memory (the reverse
; sweep would need the freed block's adjoints): a clean error. Forward mode
; resizes the shadow along with the primal.
; RUN: %not %opt -passes=fluxion -disable-output %s 2>&1 | %FileCheck %s
; CHECK: error: {{.*}}fluxion: reverse mode of realloc of active memory is not supported

declare double @__enzyme_autodiff(ptr, ...)
declare ptr @realloc(ptr, i64)

define double @grow(ptr %p, double %x) {
  %q = call ptr @realloc(ptr %p, i64 16)
  store double %x, ptr %q
  %v = load double, ptr %q
  %m = fmul double %v, %v
  ret double %m
}

define void @gradient(ptr %p, ptr %dp, double %x) {
  call double (ptr, ...) @__enzyme_autodiff(ptr @grow, ptr %p, ptr %dp, double %x)
  ret void
}
