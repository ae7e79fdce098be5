; A copy of untyped length between pointers that nothing in the function
; accesses (Eigen's smart_copy at -O0, without TBAA): the C++ signature
; declares them `const double *` and `double *`, so the copy moves doubles,
; also after Fluxion inlines the helper into the function it differentiates.
; RUN: %opt -passes=fluxion -S %s | %FileCheck %s

; Copy::run(double const*, double const*, double*), as clang emits it at -O0.
define linkonce_odr void @_ZN4Copy3runEPKdS1_Pd(ptr %start, ptr %end, ptr %target) {
  %target.addr = alloca ptr
  store ptr %target, ptr %target.addr
  %s = ptrtoint ptr %start to i64
  %e = ptrtoint ptr %end to i64
  %size = sub i64 %e, %s
  %t = load ptr, ptr %target.addr
  call void @llvm.memcpy.p0.p0.i64(ptr %t, ptr %start, i64 %size, i1 false)
  ret void
}

; Copy::run(long const*, long const*, long*): integers, no derivative.
define linkonce_odr void @_ZN4Copy3runEPKlS1_Pl(ptr %start, ptr %end, ptr %target) {
  %s = ptrtoint ptr %start to i64
  %e = ptrtoint ptr %end to i64
  %size = sub i64 %e, %s
  call void @llvm.memcpy.p0.p0.i64(ptr %target, ptr %start, i64 %size, i1 false)
  ret void
}

define void @copy_n(ptr %from, ptr %to, i64 %n) {
  %end = getelementptr double, ptr %from, i64 %n
  call void @_ZN4Copy3runEPKdS1_Pd(ptr %from, ptr %end, ptr %to)
  ret void
}

define void @copy_longs(ptr %from, ptr %to, i64 %n) {
  %end = getelementptr i64, ptr %from, i64 %n
  call void @_ZN4Copy3runEPKlS1_Pl(ptr %from, ptr %end, ptr %to)
  ret void
}

declare void @llvm.memcpy.p0.p0.i64(ptr, ptr, i64, i1)
declare void @__enzyme_autodiff(ptr, ...)
@enzyme_const = external global i32

define void @gradient(ptr %x, ptr %dx, ptr %y, ptr %dy, i64 %n) {
  call void (ptr, ...) @__enzyme_autodiff(ptr @copy_n, ptr %x, ptr %dx, ptr %y, ptr %dy, ptr @enzyme_const, i64 %n)
  ret void
}

define void @gradient_longs(ptr %x, ptr %dx, ptr %y, ptr %dy, i64 %n) {
  call void (ptr, ...) @__enzyme_autodiff(ptr @copy_longs, ptr %x, ptr %dx, ptr %y, ptr %dy, ptr @enzyme_const, i64 %n)
  ret void
}

; The tag survives inlining; the reverse sweep adds the adjoints of the
; copied doubles back, and has nothing to do for the integers.
; CHECK: call void @llvm.memcpy{{.*}} !fluxion.copied.element [[DOUBLE:![0-9]+]]
; CHECK-LABEL: define internal void @fluxion.rev.copy_longs.dup.dup.const(
; CHECK-NOT: fluxion.copy.adjoint
; CHECK: ret void
; CHECK-LABEL: define internal void @fluxion.rev.copy_n.dup.dup.const(
; CHECK: call void @fluxion.copy.adjoint.double(ptr %to.shadow, ptr %from.shadow,
; CHECK: [[DOUBLE]] = !{double poison}
