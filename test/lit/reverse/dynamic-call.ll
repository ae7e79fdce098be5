; A call through a function pointer loaded from memory with a shadow: the
; augmented function calls entry 0 of the derivative record the shadow
; pointer points to, keeping the tape it returns; the reverse sweep calls
; entry 1 with the adjoint of the result and that tape; forward mode calls
; entry 2, which returns the result and its tangent.
; __enzyme_virtualreverse builds the record of a function, and the shadow of
; a virtual table, whose function slots point to records; a slot without a
; derivative to call (a destructor, a method defined elsewhere) gets a
; record that stops the program with a message, and so does a call whose
; shadow holds no record at all.
; RUN: %opt -passes=fluxion -S %s | %FileCheck %s

@vtable = constant { [3 x ptr] } { [3 x ptr] [ptr null, ptr null, ptr @square] }
@vtable.more = constant { [5 x ptr] } { [5 x ptr] [ptr null, ptr null, ptr @_ZN5ShapeD0Ev, ptr @elsewhere, ptr @__cxa_pure_virtual] }

define void @_ZN5ShapeD0Ev(ptr %this) {
  ret void
}
declare double @elsewhere(double)
declare void @__cxa_pure_virtual()

define double @square(double %x) {
  %y = fmul double %x, %x
  ret double %y
}

define double @call_through(ptr %s, double %x) {
  %fn = load ptr, ptr %s
  %y = call double %fn(double %x)
  ret double %y
}

declare ptr @__enzyme_virtualreverse(ptr)
declare double @__enzyme_autodiff(ptr, ...)
declare double @__enzyme_fwddiff(ptr, ...)

define double @tangent(ptr %s, ptr %ds, double %x) {
  %dy = call double (ptr, ...) @__enzyme_fwddiff(ptr @call_through, ptr %s, ptr %ds, double %x, double 1.0)
  ret double %dy
}

define double @gradient(ptr %s, ptr %ds, double %x) {
  %record = call ptr @__enzyme_virtualreverse(ptr @square)
  store ptr %record, ptr %ds
  %dx = call double (ptr, ...) @__enzyme_autodiff(ptr @call_through, ptr %s, ptr %ds, double %x)
  ret double %dx
}

define ptr @shadow_table() {
  %table = call ptr @__enzyme_virtualreverse(ptr getelementptr inbounds (i8, ptr @vtable, i64 16))
  ret ptr %table
}

define ptr @shadow_table_more() {
  %table = call ptr @__enzyme_virtualreverse(ptr getelementptr inbounds (i8, ptr @vtable.more, i64 16))
  ret ptr %table
}

; CHECK-DAG: @fluxion.record.square = internal constant [3 x ptr] [ptr @fluxion.record.augmented.square, ptr @fluxion.record.reverse.square, ptr @fluxion.record.forward.square]
; CHECK-DAG: @fluxion.shadow.vtable = internal constant { [3 x ptr] } { [3 x ptr] [ptr null, ptr null, ptr @fluxion.record.square] }
; CHECK-DAG: @fluxion.shadow.vtable.more = internal constant { [5 x ptr] } { [5 x ptr] [ptr null, ptr null, ptr @fluxion.record.unavailable._ZN5ShapeD0Ev, ptr @fluxion.record.unavailable.elsewhere, ptr null] }
; CHECK-DAG: @fluxion.record.missing.0 = internal constant [3 x ptr] [ptr @fluxion.record.missing.0.augmented, ptr @fluxion.record.missing.0.reverse, ptr @fluxion.record.missing.0.forward]
; CHECK-DAG: private unnamed_addr constant {{.*}} c"fluxion: no derivative of 'Shape::~Shape()' to call {{(reassoc nsz contract )?}}through a function pointer: destructors have no derivative record\00"

; CHECK-LABEL: define double @gradient(
; CHECK: store ptr @fluxion.record.square, ptr %ds

; CHECK-LABEL: define ptr @shadow_table(
; CHECK: ret ptr getelementptr (i8, ptr @fluxion.shadow.vtable, i64 16)

; CHECK-LABEL: define internal { ptr, double } @fluxion.record.augmented.square(double %0)
; CHECK-LABEL: define internal double @fluxion.record.reverse.square(double %0, double %1, ptr %2)

; CHECK-LABEL: define internal {{.*}} @fluxion.aug.call_through
; CHECK: %fn.shadow = load ptr, ptr %s.shadow
; CHECK: %record = select {{(reassoc nsz contract )?}}i1 {{%.*}}, ptr @fluxion.record.missing.0, ptr {{%.*}}
; CHECK: %augmented.entry = load ptr, ptr %record
; CHECK: [[AUG:%.*]] = call {{(reassoc nsz contract )?}}{ ptr, double } %augmented.entry(double %x)
; CHECK: %custom.tape = extractvalue { ptr, double } [[AUG]], 0

; CHECK-LABEL: define internal {{.*}} @fluxion.rev.call_through
; CHECK: [[ENTRY:%.*]] = getelementptr ptr, ptr {{%.*}}, i32 1
; CHECK: %reverse.entry = load ptr, ptr [[ENTRY]]
; CHECK: call {{(reassoc nsz contract )?}}double %reverse.entry(double %x, double {{%.*}}, ptr {{%.*}})

; CHECK-LABEL: define internal {{.*}} @fluxion.fwd.call_through
; CHECK: [[FWD:%.*]] = getelementptr ptr, ptr %record, i32 2
; CHECK: %forward.entry = load ptr, ptr [[FWD]]
; CHECK: [[PAIR:%.*]] = call {{(reassoc nsz contract )?}}{ double, double } %forward.entry(double %x, double %x.tangent)
; CHECK: extractvalue { double, double } [[PAIR]], 1

; CHECK-NOT: __enzyme_
