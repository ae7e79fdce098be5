; A call through a function pointer loaded from a global that the program
; only reads calls the function the global's initializer holds. The global
; is visible to other translation units, so the derivative checks that the
; pointer is still that function and traps if it is not.
; RUN: %opt -passes=fluxion -S %s | %FileCheck %s

@hooks = global { i32, ptr } { i32 0, ptr @cube }

define internal double @cube(double %x) {
  %s = fmul double %x, %x
  %c = fmul double %s, %x
  ret double %c
}

define double @through_table(double %x) {
  %op.addr = getelementptr inbounds i8, ptr @hooks, i64 8
  %op = load ptr, ptr %op.addr
  %y = call double %op(double %x)
  ret double %y
}

; CHECK-LABEL: define internal {{.*}} @fluxion.fwd.through_table
; CHECK: %op = load ptr, ptr getelementptr inbounds {{.*}}(i8, ptr @hooks, i64 8)
; CHECK: %[[SAME:.*]] = icmp eq ptr %op, @cube
; CHECK: br i1 %[[SAME]], label %[[CALL:.*]], label %[[TRAP:.*]]
; CHECK: [[TRAP]]:
; CHECK-NEXT: call {{(reassoc nsz contract )?}}void @llvm.trap()
; CHECK-NEXT: unreachable
; CHECK: [[CALL]]:
; CHECK-NEXT: call {{(reassoc nsz contract )?}}{ double, double } @fluxion.fwd.cube.dup(double %x, double %x.tangent)

declare double @__enzyme_fwddiff(ptr, ...)

define double @tangent(double %x) {
  %t = call double (ptr, ...) @__enzyme_fwddiff(ptr @through_table, double %x, double 1.0)
  ret double %t
}
