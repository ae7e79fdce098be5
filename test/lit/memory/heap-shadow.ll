; malloc'd memory holding active data gets a zeroed heap shadow. Forward mode
; frees it with the primal; reverse mode frees it when the reverse sweep
; reaches the malloc, after every adjoint has flowed through it.
; RUN: %opt -passes=fluxion -S %s | %FileCheck %s

declare double @__enzyme_autodiff(ptr, ...)
declare double @__enzyme_fwddiff(ptr, ...)
declare ptr @malloc(i64)
declare void @free(ptr)

define double @through_heap(double %x) {
  %buf = call ptr @malloc(i64 8)
  store double %x, ptr %buf
  %v = load double, ptr %buf
  call void @free(ptr %buf)
  %m = fmul double %v, %v
  ret double %m
}

define double @reverse(double %x) {
  %d = call double (ptr, ...) @__enzyme_autodiff(ptr @through_heap, double %x)
  ret double %d
}
define double @forward(double %x) {
  %d = call double (ptr, ...) @__enzyme_fwddiff(ptr @through_heap, double %x, double 1.0)
  ret double %d
}

; CHECK-LABEL: define internal double @fluxion.aug.through_heap.out(
; CHECK: %buf = call ptr @malloc(i64 8)
; CHECK-NEXT: %buf.shadow = call ptr @malloc(i64 8)
; CHECK: store ptr %buf.shadow, ptr
; CHECK: call void @llvm.memset.p0.i64(ptr %buf.shadow, i8 0, i64 8, i1 false)
; CHECK: call void @free(ptr {{.*}}%buf)
; CHECK-NOT: call void @free

; CHECK-LABEL: define internal { double } @fluxion.rev.through_heap.out(
; CHECK: %buf.shadow.cached = load ptr
; CHECK: store double 0.000000e+00, ptr %buf.shadow.cached
; CHECK: call void @free(ptr %buf.shadow.cached

; CHECK-LABEL: define internal { double, double } @fluxion.fwd.through_heap.dup(
; CHECK: %buf.shadow = call ptr @malloc(i64 8)
; CHECK: call void @free(ptr {{.*}}%buf)
; CHECK-NEXT: call void @free(ptr {{.*}}%buf.shadow)
