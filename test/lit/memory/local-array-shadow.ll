; A fixed-size local array holding active data gets a zeroed shadow. Forward
; mode puts it beside the array; reverse mode keeps it in the tape's array
; block, because the reverse sweep runs after the augmented function's frame
; is gone. The block is a buffer the tape points to (taken at entry, kept
; per thread between calls): indexed at run time inside the tape, the shadow
; would keep SROA from splitting a combined gradient's tape into registers.
; RUN: %opt -passes=fluxion -S %s | %FileCheck %s

declare double @__enzyme_autodiff(ptr, ...)
declare double @__enzyme_fwddiff(ptr, ...)

define double @square_via_stack(double %x, i64 %k) {
  %tmp = alloca [4 x double]
  %p = getelementptr inbounds double, ptr %tmp, i64 %k
  store double %x, ptr %p
  %q = getelementptr inbounds double, ptr %tmp, i64 %k
  %a = load volatile double, ptr %q
  %m = fmul double %a, %x
  ret double %m
}

define double @reverse(double %x, i64 %k) {
  %d = call double (ptr, ...) @__enzyme_autodiff(ptr @square_via_stack, double %x, i64 %k)
  ret double %d
}
define double @forward(double %x, i64 %k) {
  %d = call double (ptr, ...) @__enzyme_fwddiff(ptr @square_via_stack, double %x, double 1.0, i64 %k)
  ret double %d
}

; CHECK-LABEL: define internal double @fluxion.aug.square_via_stack.out.const(ptr %tape, double %x, i64 %k)
; CHECK: %tmp = alloca [4 x double]
; CHECK-NEXT: [[HEADER:%.*]] = getelementptr i8, ptr %tape, i64 0
; CHECK-NEXT: call void @fluxion.tape.take(ptr [[HEADER]], ptr @fluxion.tape.kept.fluxion.aug.square_via_stack.out.const, i64 1)
; CHECK-NEXT: call void @fluxion.tape.ensure(ptr [[HEADER]], i64 32, i64 1)
; CHECK: %array.block = load ptr
; CHECK-NEXT: [[SHADOW:%.*]] = getelementptr inbounds i8, ptr %array.block, i64 0
; CHECK-NEXT: call void @llvm.memset.p0.i64(ptr {{.*}}[[SHADOW]], i8 0, i64 32, i1 false)

; CHECK-LABEL: define internal { double } @fluxion.rev.square_via_stack.out.const(
; CHECK: %array.block = load ptr
; CHECK-NEXT: [[REGION:%[0-9]+]] = getelementptr inbounds i8, ptr %array.block, i64 0
; CHECK-NEXT: %p.shadow = getelementptr inbounds double, ptr [[REGION]], i64 %k
; CHECK: call void @fluxion.tape.keep(

; CHECK-LABEL: define internal { double, double } @fluxion.fwd.square_via_stack.dup.const(
; CHECK: %tmp = alloca [4 x double]
; CHECK-NEXT: %tmp.shadow = alloca [4 x double]
; CHECK-NEXT: call void @llvm.memset.p0.i64(ptr {{.*}}%tmp.shadow, i8 0, i64 32, i1 false)
; CHECK: store double %x.tangent, ptr %p.tangent
