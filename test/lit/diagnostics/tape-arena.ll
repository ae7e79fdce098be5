; A tape arena (ad_tape_arena) is for GPU device code: on the host, whose
; tapes have no arena, it is an error.
; RUN: %not %opt -passes=fluxion -disable-output %s 2>&1 | %FileCheck %s

; CHECK: error: {{.*}}fluxion: ad_tape_arena is only available in GPU device code (in function 'host')

declare double @__enzyme_autodiff(ptr, ...)
@ad_tape_arena = external global i32

define double @square(double %x) {
  %y = fmul double %x, %x
  ret double %y
}

define double @host(ptr %slice, double %x) {
  %a = load i32, ptr @ad_tape_arena
  %d = call double (ptr, ...) @__enzyme_autodiff(ptr @square, i32 %a, ptr %slice, i64 64, double %x)
  ret double %d
}
