; __enzyme_todense becomes a view marker that derivatives pass around as a
; pointer; once they are built, every load through the view becomes a call
; of its load function with the byte offset and the extra arguments, every
; store a call of its store function with the value first, and a fill or
; copy (what the optimizer makes of element loops) a loop of them. The view
; is the address of a byte of its own: never null, and the offsets fold to
; the arithmetic the accesses did.
; RUN: %opt -passes=fluxion -S %s | %FileCheck %s --check-prefix=MARKER
; RUN: %opt -passes=fluxion,fluxion-dense-views,instcombine -S %s | %FileCheck %s

declare double @read(i64, i64)
declare void @write(double, i64, i64)
declare ptr @__enzyme_todense(ptr, ptr, ...)
declare void @llvm.memset.p0.i64(ptr, i8, i64, i1)
declare void @llvm.memcpy.p0.p0.i64(ptr, ptr, i64, i1)

define double @copy(i64 %row, i64 %i) {
  %view = call ptr (ptr, ptr, ...) @__enzyme_todense(ptr @read, ptr @write, i64 %row)
  %from = getelementptr inbounds double, ptr %view, i64 %i
  %x = load double, ptr %from
  %to = getelementptr inbounds i8, ptr %from, i64 24
  store double %x, ptr %to
  ret double %x
}

define i1 @not_null(i64 %row) {
  %view = call ptr (ptr, ptr, ...) @__enzyme_todense(ptr @read, ptr @write, i64 %row)
  %null = icmp eq ptr %view, null
  ret i1 %null
}

define void @fill_and_copy(i64 %row, i64 %n, ptr %data) {
  %view = call ptr (ptr, ptr, ...) @__enzyme_todense(ptr @read, ptr @write, i64 %row)
  %bytes = shl i64 %n, 3
  call void @llvm.memset.p0.i64(ptr %view, i8 0, i64 %bytes, i1 false)
  call void @llvm.memcpy.p0.p0.i64(ptr %data, ptr %view, i64 %bytes, i1 false)
  ret void
}

; MARKER: %dense.view = call ptr (ptr, ptr, ...) @fluxion.dense.view(ptr @read, ptr @write, i64 %row)
; MARKER: declare ptr @fluxion.dense.view(ptr, ptr, ...) #[[ATTRS:[0-9]+]]
; MARKER: attributes #[[ATTRS]] = { nounwind willreturn memory(none) }

; CHECK-LABEL: define double @copy(
; CHECK-NEXT: [[FROM:%.*]] = shl i64 %i, 3
; CHECK-NEXT: [[X:%.*]] = call double @read(i64 [[FROM]], i64 %row)
; CHECK-NEXT: [[FROM2:%.*]] = shl i64 %i, 3
; CHECK-NEXT: [[TO:%.*]] = add i64 [[FROM2]], 24
; CHECK-NEXT: call void @write(double [[X]], i64 [[TO]], i64 %row)
; CHECK-NEXT: ret double [[X]]

; CHECK-LABEL: define i1 @not_null(
; CHECK-NEXT: ret i1 false

; CHECK-LABEL: define void @fill_and_copy(
; CHECK: call void @write(double 0.000000e+00, i64 {{%.*}}, i64 %row)
; CHECK: [[READ:%.*]] = call double @read(i64 {{%.*}}, i64 %row)
; CHECK: store double [[READ]], ptr {{%.*}}
; CHECK-NOT: fluxion.dense.view
