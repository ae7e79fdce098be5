; A function passed as an argument to a helper that calls it: the derivative
; calls a copy of the helper with the parameter replaced by that function,
; whose call is then direct and differentiated. A helper given the function
; through memory it writes is not specialized and stays an error
; (diagnostics/virtual-call.cpp).
; RUN: %opt -passes=fluxion -S %s | %FileCheck %s

define internal double @cube(double %x) {
  %s = fmul double %x, %x
  %c = fmul double %s, %x
  ret double %c
}

; Recursive, so that it is not inlined: f applied n times.
define double @apply_n(ptr %f, double %x, i32 %n) {
entry:
  %done = icmp eq i32 %n, 0
  br i1 %done, label %exit, label %again

again:
  %y = call double %f(double %x)
  %m = sub i32 %n, 1
  %z = call double @apply_n(ptr %f, double %y, i32 %m)
  br label %exit

exit:
  %r = phi double [ %x, %entry ], [ %z, %again ]
  ret double %r
}

define double @root(double %x) {
  %y = call double @apply_n(ptr @cube, double %x, i32 3)
  ret double %y
}

; CHECK-LABEL: define internal {{.*}} @fluxion.fwd.root
; CHECK: call {{(reassoc nsz contract )?}}{ double, double } @fluxion.fwd.apply_n.fluxion.with.cube.{{.*}}(ptr @cube, double %x, double %x.tangent, i32 3)
; CHECK-LABEL: define internal {{.*}} @fluxion.fwd.apply_n.fluxion.with.cube.
; CHECK-NOT: call {{(reassoc nsz contract )?}}{{.*}} %f(
; CHECK: call {{(reassoc nsz contract )?}}{ double, double } @fluxion.fwd.apply_n.fluxion.with.cube.{{.*}}(ptr @cube,

; The specialized primal copy is gone once nothing calls it.
; CHECK-NOT: define {{.*}} @apply_n.fluxion.with.cube(

declare double @__enzyme_fwddiff(ptr, ...)

define double @tangent(double %x) {
  %t = call double (ptr, ...) @__enzyme_fwddiff(ptr @root, double %x, double 1.0)
  ret double %t
}
