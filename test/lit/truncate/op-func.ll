; __enzyme_truncate_op_func(fn, 64, 32) returns a copy of fn, and of the
; functions it calls, whose double operations compute in float: operands
; narrowed with fptrunc, the operation in float, the result widened back.
; Memory, arguments and results keep the double type.
; RUN: %opt -passes=fluxion -S %s | %FileCheck %s

declare ptr @__enzyme_truncate_op_func(ptr, ...)
declare ptr @__enzyme_truncate_mem_func_2(ptr, ...)
declare double @llvm.sqrt.f64(double)
declare double @llvm.fmuladd.f64(double, double, double)
declare double @pow(double, double)

; The originals are untouched.
; CHECK-LABEL: define double @add(
; CHECK-NEXT: %sum = fadd double %a, %b
define double @add(double %a, double %b) {
  %sum = fadd double %a, %b
  ret double %sum
}

define double @f(double %a, double %b, ptr %out) {
  %s = call double @add(double %a, double %b)
  %m = fmul double %s, 2.500000e-01
  %neg = fneg double %m
  store double %neg, ptr %out
  %c = fcmp olt double %a, %b
  br i1 %c, label %small, label %large
small:
  %r = call double @llvm.sqrt.f64(double %m)
  ret double %r
large:
  %p = call double @pow(double %a, double %b)
  %fma = call double @llvm.fmuladd.f64(double %p, double %a, double %b)
  ret double %fma
}

; CHECK-LABEL: define ptr @op_func()
; CHECK-NEXT: ret ptr @fluxion.truncate.f.64to32
define ptr @op_func() {
  %p = call ptr (ptr, ...) @__enzyme_truncate_op_func(ptr @f, i32 64, i32 32)
  ret ptr %p
}

; Memory mode keeps truncated values as doubles holding float numbers, so
; its copy is the op-mode copy.
; CHECK-LABEL: define ptr @mem_func()
; CHECK-NEXT: ret ptr @fluxion.truncate.f.64to32
define ptr @mem_func() {
  %p = call ptr (ptr, ...) @__enzyme_truncate_mem_func_2(ptr @f, i64 64, i64 32)
  ret ptr %p
}

; CHECK-LABEL: define internal double @fluxion.truncate.f.64to32(double %a, double %b, ptr %out)
; CHECK-NEXT: %s = call double @fluxion.truncate.add.64to32(double %a, double %b)
; CHECK-NEXT: [[S:%.*]] = fptrunc double %s to float
; Constants are narrowed as they are read.
; CHECK-NEXT: %m = fmul float [[S]], 2.500000e-01
; CHECK-NEXT: %m.wide = fpext float %m to double
; CHECK-NEXT: %neg = fneg float %m
; CHECK-NEXT: %neg.wide = fpext float %neg to double
; CHECK-NEXT: store double %neg.wide, ptr %out
; Comparisons compare the narrowed values.
; CHECK-NEXT: [[A:%.*]] = fptrunc double %a to float
; CHECK-NEXT: [[B:%.*]] = fptrunc double %b to float
; CHECK-NEXT: %c = fcmp olt float [[A]], [[B]]
; Math functions read narrowed arguments and their results are narrowed; a
; result already narrowed is not narrowed again.
; CHECK: small:
; CHECK-NEXT: %r = call double @llvm.sqrt.f64(double %m.wide)
; CHECK-NEXT: %r.narrow = fptrunc double %r to float
; CHECK-NEXT: %r.narrow.wide = fpext float %r.narrow to double
; CHECK-NEXT: ret double %r.narrow.wide
; CHECK: large:
; CHECK-NEXT: [[A2:%.*]] = fptrunc double %a to float
; CHECK-NEXT: [[A2W:%.*]] = fpext float [[A2]] to double
; CHECK-NEXT: [[B2:%.*]] = fptrunc double %b to float
; CHECK-NEXT: [[B2W:%.*]] = fpext float [[B2]] to double
; CHECK-NEXT: %p = call double @pow(double [[A2W]], double [[B2W]])
; CHECK-NEXT: %p.narrow = fptrunc double %p to float
; CHECK-NEXT: %p.narrow.wide = fpext float %p.narrow to double
; fmuladd rounds its product and its sum, as two float operations.
; CHECK-NEXT: [[A3:%.*]] = fptrunc double %a to float
; CHECK-NEXT: [[B3:%.*]] = fptrunc double %b to float
; CHECK-NEXT: %fma.mul = fmul float %p.narrow, [[A3]]
; CHECK-NEXT: %fma = fadd float %fma.mul, [[B3]]
; CHECK-NEXT: %fma.wide = fpext float %fma to double
; CHECK-NEXT: ret double %fma.wide

; CHECK-LABEL: define internal double @fluxion.truncate.add.64to32(double %a, double %b)
; CHECK-NEXT: [[A:%.*]] = fptrunc double %a to float
; CHECK-NEXT: [[B:%.*]] = fptrunc double %b to float
; CHECK-NEXT: %sum = fadd float [[A]], [[B]]
; CHECK-NEXT: %sum.wide = fpext float %sum to double
; CHECK-NEXT: ret double %sum.wide

; Every builtin call is lowered.
; CHECK-NOT: __enzyme_truncate
