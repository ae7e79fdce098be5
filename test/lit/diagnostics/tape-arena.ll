; Misused tape arenas (ad_tape_arena) are errors: on the host, whose tapes
; have no arena; in forward mode, which keeps no tape; without the slice and
; its size; with the size before the slice; after the first argument.
; RUN: rm -rf %t && split-file %s %t
; RUN: %not %opt -passes=fluxion -disable-output %t/host.ll 2>&1 | %FileCheck %s --check-prefix=HOST
; RUN: %not %opt -passes=fluxion -disable-output %t/forward.ll 2>&1 | %FileCheck %s --check-prefix=FORWARD
; RUN: %not %opt -passes=fluxion -disable-output %t/missing.ll 2>&1 | %FileCheck %s --check-prefix=MISSING
; RUN: %not %opt -passes=fluxion -disable-output %t/swapped.ll 2>&1 | %FileCheck %s --check-prefix=SWAPPED
; RUN: %not %opt -passes=fluxion -disable-output %t/late.ll 2>&1 | %FileCheck %s --check-prefix=LATE

; HOST: error: {{.*}}fluxion: ad_tape_arena is only available in GPU device code (in function 'host')
; FORWARD: error: {{.*}}fluxion: ad_tape_arena is only available in __ad_autodiff (the combined gradient), not in __enzyme_fwddiff (in function 'forward')
; MISSING: error: {{.*}}fluxion: ad_tape_arena must be followed by the thread's slice of the arena and its size in bytes (in function 'missing')
; SWAPPED: error: {{.*}}fluxion: ad_tape_arena must be followed by a pointer and an integer byte count (in function 'swapped')
; LATE: error: {{.*}}fluxion: ad_tape_arena must come before the first argument (in function 'late')

;--- host.ll
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

;--- forward.ll
target triple = "nvptx64-nvidia-cuda"
declare double @__enzyme_fwddiff(ptr, ...)
@ad_tape_arena = external global i32
define double @square(double %x) {
  %y = fmul double %x, %x
  ret double %y
}
define double @forward(ptr %slice, double %x) {
  %a = load i32, ptr @ad_tape_arena
  %d = call double (ptr, ...) @__enzyme_fwddiff(ptr @square, i32 %a, ptr %slice, i64 64, double %x, double 1.0)
  ret double %d
}

;--- missing.ll
target triple = "nvptx64-nvidia-cuda"
declare double @__enzyme_autodiff(ptr, ...)
@ad_tape_arena = external global i32
define double @square(double %x) {
  %y = fmul double %x, %x
  ret double %y
}
define double @missing(ptr %slice) {
  %a = load i32, ptr @ad_tape_arena
  %d = call double (ptr, ...) @__enzyme_autodiff(ptr @square, i32 %a, ptr %slice)
  ret double %d
}

;--- swapped.ll
target triple = "nvptx64-nvidia-cuda"
declare double @__enzyme_autodiff(ptr, ...)
@ad_tape_arena = external global i32
define double @square(double %x) {
  %y = fmul double %x, %x
  ret double %y
}
define double @swapped(ptr %slice, double %x) {
  %a = load i32, ptr @ad_tape_arena
  %d = call double (ptr, ...) @__enzyme_autodiff(ptr @square, i32 %a, i64 64, ptr %slice, double %x)
  ret double %d
}

;--- late.ll
target triple = "nvptx64-nvidia-cuda"
declare double @__enzyme_autodiff(ptr, ...)
@ad_tape_arena = external global i32
define double @square(double %x, double %z) {
  %y = fmul double %x, %z
  ret double %y
}
define double @late(ptr %slice, double %x) {
  %a = load i32, ptr @ad_tape_arena
  %d = call double (ptr, ...) @__enzyme_autodiff(ptr @square, double %x, i32 %a, ptr %slice, i64 64)
  ret double %d
}
