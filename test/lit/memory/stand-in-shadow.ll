; A pointer read from shadowed memory may have been stored there without a
; shadow of its own (a constant argument's array): its shadow is then the
; primal pointer, a stand-in. A tangent read through it is zero, and the
; reverse sweep sends the adjoint it would add there to a scratch slot,
; since the primal memory may be read-only. A null shadow pointer read
; from zeroed shadow memory also becomes the stand-in.
; RUN: %opt -passes=fluxion -S %s | %FileCheck %s

%struct.operands = type { ptr, ptr }

define double @weighted(ptr %o) {
  %w = load ptr, ptr %o
  %wv = load double, ptr %w
  %p = fmul double %wv, %wv
  ret double %p
}

; CHECK-LABEL: define internal void @fluxion.rev.weighted.dup(
; CHECK: %standin.sink = alloca double
; CHECK: [[RSI:%.*]] = icmp eq ptr [[SHADOW:%.*]], [[PRIMAL:%.*]]
; CHECK: [[TO:%.*]] = select {{(reassoc nsz contract )?}}i1 [[RSI]], ptr %standin.sink, ptr [[SHADOW]]
; CHECK: [[OLD:%.*]] = load double, ptr [[TO]]
; CHECK: [[NEW:%.*]] = fadd {{(reassoc nsz contract )?}}double [[OLD]]
; CHECK: store double [[NEW]], ptr [[TO]]

; CHECK-LABEL: define internal { double, double } @fluxion.fwd.weighted.dup(ptr %o, ptr %o.tangent)
; CHECK: %w = load ptr, ptr %o
; CHECK: [[READ:%.*]] = load ptr, ptr %o.tangent
; CHECK: [[NONE:%.*]] = icmp eq ptr [[READ]], null
; CHECK: %w.tangent = select {{(reassoc nsz contract )?}}i1 [[NONE]], ptr %w, ptr [[READ]]
; CHECK: %wv = load double, ptr %w
; CHECK: [[T:%.*]] = load double, ptr %w.tangent
; CHECK: [[SI:%.*]] = icmp eq ptr %w.tangent, %w
; CHECK: %wv.tangent = select {{(reassoc nsz contract )?}}i1 [[SI]], double 0.000000e+00, double [[T]]


declare void @__enzyme_autodiff(ptr, ...)
declare double @__enzyme_fwddiff(ptr, ...)

define void @gradient(ptr %o, ptr %do) {
  call void (ptr, ...) @__enzyme_autodiff(ptr @weighted, ptr %o, ptr %do)
  ret void
}

define double @tangent(ptr %o, ptr %do) {
  %t = call double (ptr, ...) @__enzyme_fwddiff(ptr @weighted, ptr %o, ptr %do)
  ret double %t
}
