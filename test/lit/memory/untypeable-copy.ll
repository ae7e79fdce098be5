; A copy between shadowed buffers whose contents are never accessed with a
; type cannot be reversed safely: a clean error, not a guess.
; RUN: %not %opt -passes=fluxion -disable-output %s 2>&1 | %FileCheck %s

; CHECK: error: {{.*}}fluxion: cannot deduce the type of the data this copy moves

declare double @__enzyme_autodiff(ptr, ...)
declare void @llvm.memcpy.p0.p0.i64(ptr, ptr, i64, i1)
declare double @consume(ptr) memory(argmem: read)

define double @opaque_copy(ptr %src, ptr %dst, double %x) {
  call void @llvm.memcpy.p0.p0.i64(ptr %dst, ptr %src, i64 64, i1 false)
  %m = fmul double %x, %x
  ret double %m
}

define void @gradient(ptr %s, ptr %ds, ptr %d, ptr %dd, double %x) {
  call double (ptr, ...) @__enzyme_autodiff(ptr @opaque_copy, ptr %s, ptr %ds, ptr %d, ptr %dd, double %x)
  ret void
}
