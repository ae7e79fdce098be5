; The adjoints of three loads of x[0] (read again after each call to sin,
; which may write errno) are summed in a register and added to the shadow
; once: the reverse block reads and writes %x's shadow one time. A store in
; between (the reverse sweep reads and zeroes its shadow) adds what is
; pending first.
; RUN: %opt -passes=fluxion -S %s | %FileCheck %s

declare double @__enzyme_autodiff(ptr, ...)
declare double @sin(double)

define double @reads(ptr %x) {
  %a = load double, ptr %x
  %s = call double @sin(double %a)
  %b = load double, ptr %x
  %t = call double @sin(double %b)
  %c = load double, ptr %x
  %m = fmul double %s, %t
  %r = fmul double %m, %c
  ret double %r
}

define double @store_between(ptr %x, ptr %y) {
  %a = load double, ptr %x
  store double %a, ptr %y
  %b = load double, ptr %x
  %m = fmul double %a, %b
  ret double %m
}

define void @gradients(ptr %x, ptr %dx, ptr %y, ptr %dy) {
  call double (ptr, ...) @__enzyme_autodiff(ptr @reads, ptr %x, ptr %dx)
  call double (ptr, ...) @__enzyme_autodiff(ptr @store_between, ptr %x, ptr %dx, ptr %y, ptr %dy)
  ret void
}

; CHECK-LABEL: define internal void @fluxion.rev.store_between.dup.dup(
; CHECK: store double %b.adj, ptr %x.pending
; CHECK: load double, ptr %x.shadow
; CHECK: store double {{.*}}, ptr %x.shadow
; CHECK-NEXT: load double, ptr %y.shadow
; CHECK-NEXT: store double 0.000000e+00, ptr %y.shadow
; CHECK: store double %a.adj, ptr %x.pending
; CHECK: load double, ptr %x.shadow
; CHECK: store double {{.*}}, ptr %x.shadow
; CHECK: ret void


; CHECK-LABEL: define internal void @fluxion.rev.reads.dup(
; CHECK-COUNT-1: load double, ptr %x.shadow
; CHECK-NOT: load double, ptr %x.shadow
; CHECK-COUNT-1: store double {{.*}}, ptr %x.shadow
; CHECK-NOT: ptr %x.shadow
; CHECK: ret void
