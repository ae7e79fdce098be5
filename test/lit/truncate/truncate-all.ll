; -fluxion-truncate-all (or Enzyme's -enzyme-truncate-all) rewrites every
; function of the module in place before the builtins are lowered; an empty
; value does nothing; a malformed one is an error.
; RUN: %opt -passes=fluxion -fluxion-truncate-all=64to32 -S %s | %FileCheck %s --check-prefix=FLOAT
; RUN: %opt -passes=fluxion -enzyme-truncate-all=64to16 -S %s | %FileCheck %s --check-prefix=HALF
; RUN: %opt -passes=fluxion -enzyme-truncate-all=11-52to3-7 -S %s | %FileCheck %s --check-prefix=EM
; RUN: %opt -passes=fluxion -enzyme-truncate-all= -S %s | %FileCheck %s --check-prefix=NONE
; RUN: %not %opt -passes=fluxion -fluxion-truncate-all=64to3 -disable-output %s 2>&1 | %FileCheck %s --check-prefix=BAD

define double @scale(double %x) {
  %y = fmul double %x, 3.000000e+00
  ret double %y
}

define double @main_like(double %x) {
  %s = call double @scale(double %x)
  %t = fadd double %s, 1.000000e+00
  ret double %t
}

; Calls stay calls of the originals, which are truncated themselves.
; FLOAT-LABEL: define double @scale(double %x)
; FLOAT-NEXT: %x.narrow = fptrunc double %x to float
; FLOAT-NEXT: %y = fmul float %x.narrow, 3.000000e+00
; FLOAT-NEXT: %y.wide = fpext float %y to double
; FLOAT-NEXT: ret double %y.wide
; FLOAT-LABEL: define double @main_like(double %x)
; FLOAT-NEXT: %s = call double @scale(double %x)
; FLOAT-NEXT: %s.narrow = fptrunc double %s to float
; FLOAT-NEXT: %t = fadd float %s.narrow, 1.000000e+00

; HALF-LABEL: define double @scale(double %x)
; HALF-NEXT: %x.narrow = fptrunc double %x to half
; HALF-NEXT: %y = fmul half %x.narrow, 0xH4200
; HALF-NEXT: %y.wide = fpext half %y to double

; EM-LABEL: define double @scale(double %x)
; EM-NEXT: %x.rounded = call double @fluxion.round.f64.p8(double %x)
; EM-NEXT: %y = fmul double %x.rounded, 3.000000e+00
; EM-NEXT: %y.rounded = call double @fluxion.round.f64.p8(double %y)
; EM: define internal double @fluxion.round.f64.p8(double %x)

; NONE-LABEL: define double @scale(double %x)
; NONE-NEXT: %y = fmul double %x, 3.000000e+00
; NONE-NOT: fluxion.round

; BAD: error: fluxion: -fluxion-truncate-all=64to3: '64to3' is not a truncation such as 64to32 or 11-52to3-7 (widths 16, 32, 64, or exponent-mantissa bits)
