; A format with no LLVM type, given as exponent and mantissa widths
; (fn, FROM, E, M), is emulated in FROM: operands and results pass through an
; internal helper that rounds to M + 1 significant bits, to nearest with ties
; to even, with integer operations on the bit pattern. The exponent range
; stays FROM's. Constants are rounded at compile time.
; RUN: %opt -passes=fluxion -S %s | %FileCheck %s

declare ptr @__enzyme_truncate_op_func(ptr, ...)
declare double @__enzyme_truncate_mem_value(double, ...)
declare double @__enzyme_expand_mem_value(double, ...)

; Recursion: the copy calls itself.
define double @down(double %x, i32 %n) {
  %done = icmp eq i32 %n, 0
  br i1 %done, label %exit, label %again
again:
  %n1 = sub i32 %n, 1
  %y = call double @down(double %x, i32 %n1)
  %z = fmul double %y, 1.000000e-01
  %v0 = insertelement <2 x double> poison, double %z, i64 0
  %v = insertelement <2 x double> %v0, double %x, i64 1
  %w = fadd <2 x double> %v, %v
  %e = extractelement <2 x double> %w, i64 0
  ret double %e
exit:
  ret double %x
}

; CHECK-LABEL: define ptr @three_seven()
; CHECK-NEXT: ret ptr @fluxion.truncate.down.64to3-7
define ptr @three_seven() {
  %p = call ptr (ptr, ...) @__enzyme_truncate_op_func(ptr @down, i32 64, i32 3, i32 7)
  ret ptr %p
}

; Truncated values are doubles holding rounded numbers: truncating a value
; rounds it, expanding it keeps it.
; CHECK-LABEL: define double @values(double %x)
; CHECK-NEXT: %x.rounded = call double @fluxion.round.f64.p8(double %x)
; CHECK-NEXT: [[N:%.*]] = fptrunc double %x.rounded to float
; CHECK-NEXT: [[F:%.*]] = fpext float [[N]] to double
; CHECK-NEXT: ret double [[F]]
define double @values(double %x) {
  %t = call double (double, ...) @__enzyme_truncate_mem_value(double %x, i32 64, i32 3, i32 7)
  %e = call double (double, ...) @__enzyme_expand_mem_value(double %t, i32 64, i32 3, i32 7)
  %f = call double (double, ...) @__enzyme_truncate_mem_value(double %e, i32 64, i32 32)
  ret double %f
}

; CHECK-LABEL: define internal double @fluxion.truncate.down.64to3-7(double %x, i32 %n)
; CHECK: %y = call double @fluxion.truncate.down.64to3-7(double %x, i32 %n1)
; CHECK-NEXT: [[Y:%.*]] = call double @fluxion.round.f64.p8(double %y)
; 0.1 rounded to 8 bits is 205/2048.
; CHECK-NEXT: %z = fmul double [[Y]], 0x3FB9A00000000000
; CHECK-NEXT: %z.rounded = call double @fluxion.round.f64.p8(double %z)
; Vectors round lane by lane through a helper of their type.
; CHECK: [[V:%.*]] = call <2 x double> @fluxion.round.v2f64.p8(<2 x double> %v)
; CHECK: %w = fadd <2 x double> [[V]], [[V2:%.*]]
; CHECK-NEXT: %w.rounded = call <2 x double> @fluxion.round.v2f64.p8(<2 x double> %w)

; 52 - 7 = 45 bits are rounded away: add 2^44 - 1 plus the lowest kept bit,
; then clear them. NaNs pass unchanged.
; CHECK-LABEL: define internal double @fluxion.round.f64.p8(double %x)
; CHECK-NEXT: entry:
; CHECK-NEXT: %bits = bitcast double %x to i64
; CHECK-NEXT: [[LOW:%.*]] = lshr i64 %bits, 45
; CHECK-NEXT: %odd = and i64 [[LOW]], 1
; CHECK-NEXT: [[BIAS:%.*]] = add i64 %odd, 17592186044415
; CHECK-NEXT: %biased = add i64 %bits, [[BIAS]]
; CHECK-NEXT: %kept = and i64 %biased, -35184372088832
; CHECK-NEXT: %rounded = bitcast i64 %kept to double
; CHECK-NEXT: %isnan = fcmp uno double %x, %x
; CHECK-NEXT: [[R:%.*]] = select i1 %isnan, double %x, double %rounded
; CHECK-NEXT: ret double [[R]]

; CHECK-LABEL: define internal <2 x double> @fluxion.round.v2f64.p8(<2 x double> %x)
; CHECK: lshr <2 x i64> %bits, splat (i64 45)

; CHECK-NOT: __enzyme_
