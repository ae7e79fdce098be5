; SIMD code broadcasts a double through an integer shuffle
; (_mm_shuffle_epi32 on the bits of a packet) and loads packets as integer
; vectors. Both become operations on doubles before differentiation, so the
; tangent follows the lanes instead of being lost in the integer view.
; RUN: %opt -passes=fluxion -S %s | %FileCheck %s

define double @broadcast_product(ptr %x) {
  %bits = load <2 x i64>, ptr %x
  %v = bitcast <2 x i64> %bits to <2 x double>
  %words = bitcast <2 x double> %v to <4 x i32>
  %low = shufflevector <4 x i32> %words, <4 x i32> poison, <4 x i32> <i32 0, i32 1, i32 0, i32 1>
  %splat = bitcast <4 x i32> %low to <2 x double>
  %p = fmul <2 x double> %splat, %v
  %a = extractelement <2 x double> %p, i64 0
  %b = extractelement <2 x double> %p, i64 1
  %s = fadd double %a, %b
  ret double %s
}

; CHECK-LABEL: define internal {{.*}} @fluxion.fwd.broadcast_product
; CHECK-NOT: bitcast
; CHECK: %[[V:.*]] = load <2 x double>, ptr %x
; CHECK: %[[V]].tangent = load <2 x double>, ptr %x.tangent
; CHECK: %splat = shufflevector <2 x double> %[[V]], <2 x double> poison, <2 x i32> zeroinitializer
; CHECK: %splat.tangent = shufflevector <2 x double> %[[V]].tangent, {{.*}} zeroinitializer
; CHECK-NOT: <4 x i32>
; CHECK: ret

declare double @__enzyme_fwddiff(ptr, ...)

define double @tangent(ptr %x, ptr %dx) {
  %t = call double (ptr, ...) @__enzyme_fwddiff(ptr @broadcast_product, ptr %x, ptr %dx)
  ret double %t
}
