; A recursive function's reverse pair calls itself; each activation's tape
; comes from the heap because its size is known only when the pair is done.
; RUN: %opt -passes=fluxion -S %s | %FileCheck %s

declare double @__enzyme_autodiff(ptr, ...)

define double @power(double %x, i32 %n) {
entry:
  %base = icmp eq i32 %n, 0
  br i1 %base, label %done, label %recurse
recurse:
  %m = sub i32 %n, 1
  %r = call double @power(double %x, i32 %m)
  %p = fmul double %r, %x
  br label %done
done:
  %v = phi double [ 1.0, %entry ], [ %p, %recurse ]
  ret double %v
}

define double @gradient(double %x, i32 %n) {
  %g = call double (ptr, ...) @__enzyme_autodiff(ptr @power, double %x, i32 %n)
  ret double %g
}

; The gradient's own pair calls the callee pair, which is recursive: each of
; its activations mallocs the callee's tape.
; CHECK: [[N:%.*]] = load i64, ptr @fluxion.tapesize.power.out.const{{[.0-9]*}}
; CHECK-NEXT: %callee.tape = call {{(reassoc nsz contract )?}}ptr @fluxion.tape.allocate(ptr null, i64 [[N]])
; CHECK: call {{(reassoc nsz contract )?}}double @fluxion.aug.power.out.const{{[.0-9]*}}(ptr %callee.tape,
; CHECK: call {{(reassoc nsz contract )?}}{ double } @fluxion.rev.power.out.const{{[.0-9]*}}(ptr %callee.tape
; CHECK-NEXT: call {{(reassoc nsz contract )?}}void @free(ptr %callee.tape)
