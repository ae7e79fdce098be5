; malloc_usable_size reads the allocator's bookkeeping, not the data: it is
; inert even on memory with derivatives (derivatives of gradients call it
; to size the tape's stacks), and the primal call stays.
; RUN: %opt -passes=fluxion -S %s | %FileCheck %s

declare i64 @malloc_usable_size(ptr)

define double @square_first(ptr %x) {
  %room = call i64 @malloc_usable_size(ptr %x)
  %some = icmp ugt i64 %room, 0
  %v = load double, ptr %x
  %sq = fmul double %v, %v
  %r = select i1 %some, double %sq, double 0.0
  ret double %r
}

; CHECK-LABEL: define internal void @fluxion.grad.square_first.dup(
; CHECK: call i64 @malloc_usable_size(ptr %0)
; CHECK-NOT: malloc_usable_size
; CHECK: ret void

declare void @__enzyme_autodiff(ptr, ...)

define void @gradient(ptr %x, ptr %dx) {
  call void (ptr, ...) @__enzyme_autodiff(ptr @square_first, ptr %x, ptr %dx)
  ret void
}
