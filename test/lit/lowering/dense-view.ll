; __enzyme_todense becomes a view marker that derivatives pass around as a
; pointer; once they are built, every load through the view becomes a call
; of its load function with the byte offset and the extra arguments, and
; every store a call of its store function with the value first.
; RUN: %opt -passes=fluxion -S %s | %FileCheck %s --check-prefix=MARKER
; RUN: %opt -passes=fluxion,fluxion-dense-views -S %s | %FileCheck %s

declare double @read(i64, i64)
declare void @write(double, i64, i64)
declare ptr @__enzyme_todense(ptr, ptr, ...)

define double @copy(i64 %row, i64 %i) {
  %view = call ptr (ptr, ptr, ...) @__enzyme_todense(ptr @read, ptr @write, i64 %row)
  %from = getelementptr inbounds double, ptr %view, i64 %i
  %x = load double, ptr %from
  %to = getelementptr inbounds i8, ptr %from, i64 24
  store double %x, ptr %to
  ret double %x
}

; MARKER: %dense.view = call ptr (ptr, ptr, ...) @fluxion.dense.view(ptr @read, ptr @write, i64 %row)
; MARKER: declare ptr @fluxion.dense.view(ptr, ptr, ...) #[[ATTRS:[0-9]+]]
; MARKER: attributes #[[ATTRS]] = { nounwind willreturn memory(none) }

; CHECK-LABEL: define double @copy(
; CHECK-NEXT: %from = getelementptr double, ptr null, i64 %i
; CHECK-NEXT: [[FROM:%.*]] = ptrtoint ptr %from to i64
; CHECK-NEXT: %offset = sub i64 [[FROM]], 0
; CHECK-NEXT: [[X:%.*]] = call double @read(i64 %offset, i64 %row)
; CHECK-NEXT: %to = getelementptr i8, ptr %from, i64 24
; CHECK-NEXT: [[TO:%.*]] = ptrtoint ptr %to to i64
; CHECK-NEXT: %offset1 = sub i64 [[TO]], 0
; CHECK-NEXT: call void @write(double [[X]], i64 %offset1, i64 %row)
; CHECK-NEXT: ret double [[X]]
; CHECK-NOT: fluxion.dense.view
