; A call of a FLUXION_CHECKPOINT function keeps no tape of its own: the
; forward sweep copies the 32 bytes it reads into a per-iteration snapshot
; and calls the plain primal; the reverse sweep copies the snapshot into
; scratch memory and runs the callee's augmented and reverse functions
; there, one after the other. The local array the callee fills before
; reading is not in the snapshot.
; RUN: %opt -passes=fluxion -pass-remarks=fluxion -S %s 2>%t.remarks | %FileCheck %s
; RUN: %FileCheck --check-prefix=REMARK %s < %t.remarks

@__fluxion_checkpoint_step = global [1 x ptr] [ptr @step]

declare double @__enzyme_autodiff(ptr, ...)
declare double @sin(double)

define void @step(ptr %y, double %k) {
entry:
  %work = alloca [4 x double]
  br label %fill
fill:
  %i = phi i64 [ 0, %entry ], [ %i.next, %fill ]
  %py = getelementptr inbounds double, ptr %y, i64 %i
  %v = load double, ptr %py
  %s = call double @sin(double %v)
  %pw = getelementptr inbounds double, ptr %work, i64 %i
  store double %s, ptr %pw
  %i.next = add nuw nsw i64 %i, 1
  %more = icmp ult i64 %i.next, 4
  br i1 %more, label %fill, label %update
update:
  %j = phi i64 [ 0, %fill ], [ %j.next, %update ]
  %qy = getelementptr inbounds double, ptr %y, i64 %j
  %qw = getelementptr inbounds double, ptr %work, i64 %j
  %a = load double, ptr %qy
  %b = load double, ptr %qw
  %m = fmul double %b, %k
  %n = fmul double %a, %m
  store double %n, ptr %qy
  %j.next = add nuw nsw i64 %j, 1
  %again = icmp ult i64 %j.next, 4
  br i1 %again, label %update, label %done
done:
  ret void
}

define double @integrate(ptr %y, double %k, i64 %steps) {
entry:
  br label %loop
loop:
  %s = phi i64 [ 0, %entry ], [ %s.next, %loop ]
  call void @step(ptr %y, double %k)
  %s.next = add i64 %s, 1
  %more = icmp ult i64 %s.next, %steps
  br i1 %more, label %loop, label %exit
exit:
  %r = load double, ptr %y
  ret double %r
}

; CHECK-LABEL: define internal { double } @fluxion.grad.integrate
; CHECK: %checkpoint.scratch{{.*}} = alloca [32 x i8]
; CHECK: loop.i:
; CHECK: %[[SLOT:.*]] = call {{(reassoc nsz contract )?}}ptr @fluxion.tape.push(ptr %tape, i64 32)
; CHECK-NEXT: call {{(reassoc nsz contract )?}}void @llvm.memcpy.p0.p0.i64(ptr align 8 %[[SLOT]], ptr align 1 %0, i64 32, i1 false)
; CHECK-NEXT: call {{(reassoc nsz contract )?}}void @step(ptr %0, double %2)
; CHECK: rev.loop.i:
; CHECK: call {{(reassoc nsz contract )?}}void @llvm.memcpy.p0.p0.i64(ptr align 1 %checkpoint.scratch{{.*}}, ptr align 8 %tape.top{{.*}}, i64 32, i1 false)
; CHECK-NEXT: call {{(reassoc nsz contract )?}}void @fluxion.aug.fluxion.checkpoint.step.dup.out(ptr %checkpoint.tape{{.*}}, ptr %checkpoint.scratch{{.*}}, ptr %1, double %2)
; CHECK-NEXT: call {{(reassoc nsz contract )?}}{ double } @fluxion.rev.fluxion.checkpoint.step.dup.out(ptr %checkpoint.tape{{.*}}, ptr %checkpoint.scratch{{.*}}, ptr %1, double %2)
; The copy of the step's body is gone once its derivatives exist.
; CHECK-NOT: define {{.*}} @fluxion.checkpoint.step(

; REMARK: the call {{(reassoc nsz contract )?}}of 'step' is recomputed in the reverse sweep from a snapshot of 32 bytes

define double @gradient(ptr %y, ptr %dy, double %k, i64 %steps) {
  %dk = call double (ptr, ...) @__enzyme_autodiff(ptr @integrate, ptr %y, ptr %dy, double %k, i64 %steps)
  ret double %dk
}
