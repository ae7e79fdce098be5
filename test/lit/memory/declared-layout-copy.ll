; A copy of some fields of an object (a base class subobject's members, as
; a C++ copy constructor moves them at -O0) takes its type from the
; object's declared layout: here a pointer and a size, whose pointer shadow
; the augmented function copies, and whose integer moves no adjoint.
; RUN: %opt -passes=fluxion -S %s | %FileCheck %s

%struct.object = type { double, ptr, i64 }

; Recursive, so that it stays a call and the objects stay in memory.
define double @read(ptr %o, i32 %depth) {
  %done = icmp eq i32 %depth, 0
  br i1 %done, label %base, label %recurse
base:
  %p.addr = getelementptr inbounds i8, ptr %o, i64 8
  %p = load ptr, ptr %p.addr
  %v = load double, ptr %p
  ret double %v
recurse:
  %less = sub i32 %depth, 1
  %r = call double @read(ptr %o, i32 %less)
  ret double %r
}

define double @square_through_copy(ptr %obj) {
  %to = alloca %struct.object
  %from.p = getelementptr inbounds i8, ptr %obj, i64 8
  %to.p = getelementptr inbounds i8, ptr %to, i64 8
  call void @llvm.memcpy.p0.p0.i64(ptr %to.p, ptr %from.p, i64 16, i1 false)
  %v = call double @read(ptr %to, i32 1)
  %r = fmul double %v, %v
  ret double %r
}

; CHECK-LABEL: define internal double @fluxion.aug.square_through_copy.dup(
; CHECK: call void @"fluxion.copy.pointers.{ ptr, i64 }"(ptr {{.*}}, ptr {{.*}}, i64 16)
; CHECK-NEXT: call void @llvm.memcpy.p0.p0.i64({{.*}} %to.p, {{.*}} %from.p, i64 16, i1 false)

; CHECK-LABEL: define internal void @"fluxion.copy.pointers.{ ptr, i64 }"(
; CHECK: load ptr
; CHECK-NEXT: store ptr
; CHECK-NEXT: add i64

declare void @llvm.memcpy.p0.p0.i64(ptr, ptr, i64, i1)
declare void @__enzyme_autodiff(ptr, ...)

define void @gradient(ptr %obj, ptr %dobj) {
  call void (ptr, ...) @__enzyme_autodiff(ptr @square_through_copy, ptr %obj, ptr %dobj)
  ret void
}
