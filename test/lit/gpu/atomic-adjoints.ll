; In device code an adjoint added to memory other threads can reach (an
; argument's shadow) is an atomic add; memory private to the thread (a
; local array) keeps plain loads and stores, the adjoint summed in a
; register until the reverse sweep touches memory.
; RUN: %opt -passes=fluxion -S %s | %FileCheck %s
target triple = "nvptx64-nvidia-cuda"

declare double @__enzyme_autodiff(ptr, ...)

define double @f(ptr %x, i64 %k) {
  %local = alloca [4 x double]
  %v = load double, ptr %x
  %slot = getelementptr inbounds double, ptr %local, i64 %k
  store double %v, ptr %slot
  %w = load volatile double, ptr %slot
  %m = fmul double %w, %v
  ret double %m
}

define void @gradient(ptr %x, ptr %dx, i64 %k) {
  call double (ptr, ...) @__enzyme_autodiff(ptr @f, ptr %x, ptr %dx, i64 %k)
  ret void
}

; CHECK-LABEL: define internal void @fluxion.rev.f.dup.const(
; CHECK: %slot.shadow = getelementptr inbounds double
; CHECK-NEXT: store double %w.adj, ptr %slot.pending
; CHECK-NEXT: [[SUM:%.*]] = load double, ptr %slot.pending
; CHECK-NEXT: [[OLD:%.*]] = load double, ptr %slot.shadow
; CHECK-NEXT: [[NEW:%.*]] = fadd {{(reassoc nsz contract )?}}double [[OLD]], [[SUM]]
; CHECK-NEXT: store double [[NEW]], ptr %slot.shadow
; CHECK: atomicrmw fadd {{(reassoc nsz contract )?}}ptr %x.shadow, double {{.*}} monotonic
; CHECK-NOT: atomicrmw
; CHECK: ret void
