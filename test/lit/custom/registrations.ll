; The registration globals and annotations, read by the pass alone (opt):
; __enzyme_function_like gives mylog the derivative rule of log1p,
; __enzyme_inactive_global and a fluxion.inactive annotation (what the clang
; plugin makes of enzyme_inactive) let f store active values into @counter
; and @last. Both are consumed.
; RUN: %opt -passes=fluxion -S %s | %FileCheck %s
; CHECK-NOT: @__enzyme_inactive_global
; CHECK-NOT: @__enzyme_function_like
; CHECK-NOT: @llvm.global.annotations
; CHECK: @counter = global double 0.000000e+00 #[[INACTIVE:[0-9]+]]
; CHECK: @last = global double 0.000000e+00 #[[INACTIVE]]
; CHECK: @keep = global double 0.000000e+00
; CHECK: @llvm.global.annotations = appending global [1 x { ptr, ptr, ptr, i32, ptr }] [{ ptr, ptr, ptr, i32, ptr } { ptr @keep, ptr @.other,
; The adjoint of mylog(x) is 1 / (1 + x), whatever its body computes.
; CHECK-LABEL: define internal { double } @fluxion.rev.f.out(
; CHECK: %[[ONEPLUS:.+]] = fadd {{(reassoc nsz contract )?}}double 1.000000e+00, %{{.+}}
; CHECK: fdiv {{(reassoc nsz contract )?}}double 1.000000e+00, %[[ONEPLUS]]
; CHECK-NOT: define {{.*}}@fluxion.{{[a-z]+}}.mylog
; CHECK: attributes #[[INACTIVE]] = { "fluxion_inactive" }

@counter = global double 0.0
@last = global double 0.0
@keep = global double 0.0
@__enzyme_inactive_global = global ptr @counter
@.log1p = private unnamed_addr constant [6 x i8] c"log1p\00"
@__enzyme_function_like = global [2 x ptr] [ptr @mylog, ptr @.log1p]
@.inactive = private unnamed_addr constant [17 x i8] c"fluxion.inactive\00", section "llvm.metadata"
@.other = private unnamed_addr constant [6 x i8] c"other\00", section "llvm.metadata"
@.file = private unnamed_addr constant [8 x i8] c"input.c\00", section "llvm.metadata"
@llvm.global.annotations = appending global [2 x { ptr, ptr, ptr, i32, ptr }] [
  { ptr, ptr, ptr, i32, ptr } { ptr @last, ptr @.inactive, ptr @.file, i32 2, ptr null },
  { ptr, ptr, ptr, i32, ptr } { ptr @keep, ptr @.other, ptr @.file, i32 3, ptr null }],
  section "llvm.metadata"

declare double @__enzyme_autodiff(ptr, ...)

define double @mylog(double %x) {
  %twice = fmul double %x, 2.0
  ret double %twice
}

define double @f(double %x) {
  %l = call double @mylog(double %x)
  %sq = fmul double %x, %x
  store double %sq, ptr @counter
  store double %l, ptr @last
  %r = fmul double %l, %x
  ret double %r
}

define double @grad(double %x) {
  %d = call double (ptr, ...) @__enzyme_autodiff(ptr @f, double %x)
  ret double %d
}
