; Reverse mode through realloc of active memory: the old shadow stays until
; the reverse sweep releases it, the new shadow is a fresh zeroed block with
; a copy of the old shadow's elements, and the reverse sweep moves the new
; block's adjoints back into the old shadow before freeing the new one. The
; copy loads and stores the elements' type, so that a derivative of this
; derivative (nested reverse mode) can type it; a block of integers has no
; adjoints to keep, and its shadow is not copied.
; RUN: %opt -passes=fluxion -S %s | %FileCheck %s

declare double @__enzyme_autodiff(ptr, ...)
declare ptr @malloc(i64)
declare ptr @realloc(ptr, i64)
declare void @free(ptr)

define double @grow(double %x) {
  %p = call ptr @malloc(i64 8)
  store double %x, ptr %p
  %q = call ptr @realloc(ptr %p, i64 16)
  %v = load double, ptr %q
  %m = fmul double %v, %v
  call void @free(ptr %q)
  ret double %m
}

define double @gradient(double %x) {
  %d = call double (ptr, ...) @__enzyme_autodiff(ptr @grow, double %x)
  ret double %d
}

; The integers share the block's pointer with the doubles' block, which
; gives the block a shadow.
define double @grow_counts(double %x, ptr %slots) {
  %p = call ptr @malloc(i64 8)
  store i32 1, ptr %p
  store ptr %p, ptr %slots
  %q = call ptr @realloc(ptr %p, i64 16)
  store ptr %q, ptr %slots
  %n = load i32, ptr %q
  %f = sitofp i32 %n to double
  %m = fmul double %x, %f
  ret double %m
}

define double @gradient_counts(double %x, ptr %slots, ptr %dslots) {
  %d = call double (ptr, ...) @__enzyme_autodiff(ptr @grow_counts, double %x, ptr %slots, ptr %dslots)
  ret double %d
}

; The tape's slots are tagged with the type they hold, for a derivative of
; this derivative to read.
; CHECK-LABEL: define internal double @fluxion.aug.grow_counts.out.dup(
; CHECK: store ptr %p.shadow, ptr %{{.*}}, align 8, !tbaa ![[POINTER:[0-9]+]]
; CHECK: %q.shadow = call ptr @malloc(i64 16)
; CHECK-NOT: @fluxion.copy
; CHECK-NOT: @llvm.memcpy
; CHECK: store i32 %n, ptr %{{.*}}, align 4, !tbaa ![[INTEGER:[0-9]+]]
; CHECK: ret double

; CHECK-LABEL: define internal double @fluxion.aug.grow.out(
; CHECK: %p.shadow = call ptr @malloc(i64 8)
; CHECK: %q = call ptr @realloc(ptr {{.*}}%p, i64 16)
; CHECK: %q.shadow = call ptr @malloc(i64 16)
; CHECK: call void @llvm.memset.p0.i64(ptr %q.shadow, i8 0, i64 16, i1 false)
; CHECK: %[[USABLE:.*]] = call i64 @malloc_usable_size(ptr %p.shadow)
; CHECK: %realloc.kept = call i64 @llvm.umin.i64(i64 %[[USABLE]], i64 16)
; CHECK: call void @fluxion.copy.double(ptr %q.shadow, ptr %p.shadow, i64 %realloc.kept)
; CHECK-NOT: call void @free(ptr %p.shadow)
; CHECK: ret double

; CHECK-LABEL: define internal { double } @fluxion.rev.grow.out(
; CHECK: %q.shadow.cached{{[0-9]*}} = load ptr
; CHECK: %p.shadow.cached = load ptr
; CHECK: %realloc.kept.cached = load i64
; CHECK: call void @fluxion.copy.adjoint.double(ptr %q.shadow.cached{{[0-9]*}}, ptr %p.shadow.cached, i64 %realloc.kept.cached)
; CHECK: call void @free(ptr %q.shadow.cached{{[0-9]*}})
; CHECK: call void @free(ptr %p.shadow.cached{{[0-9]*}})

; CHECK-DAG: ![[POINTER]] = !{![[POINTER_TYPE:[0-9]+]], ![[POINTER_TYPE]], i64 0}
; CHECK-DAG: ![[POINTER_TYPE]] = !{!"any pointer", ![[ROOT:[0-9]+]], i64 0}
; CHECK-DAG: ![[INTEGER]] = !{![[INTEGER_TYPE:[0-9]+]], ![[INTEGER_TYPE]], i64 0}
; CHECK-DAG: ![[INTEGER_TYPE]] = !{!"fluxion tape integer", ![[ROOT]], i64 0}
; CHECK-DAG: ![[ROOT]] = !{!"fluxion tape"}
