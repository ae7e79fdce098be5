; Float vector reductions, as vectorized code (MLIR's vector dialect, for
; one) brings them. f = reduce.fadd(1, v) * reduce.fmax(v) with v = x * w:
; the sum's adjoint goes to the start value and to every lane, the
; maximum's to the lanes equal to it; forward mode sums the tangents, and
; those of the picked lanes.
; RUN: %opt -passes=fluxion -S %s | %FileCheck %s

declare double @__enzyme_autodiff(ptr, ...)
declare double @__enzyme_fwddiff(ptr, ...)
declare double @llvm.vector.reduce.fadd.v4f64(double, <4 x double>)
declare double @llvm.vector.reduce.fmax.v4f64(<4 x double>)

define double @f(double %x) {
  %ins = insertelement <4 x double> poison, double %x, i64 0
  %splat = shufflevector <4 x double> %ins, <4 x double> poison, <4 x i32> zeroinitializer
  %v = fmul <4 x double> %splat, <double 1.0, double -2.0, double 3.0, double 0.5>
  %sum = call double @llvm.vector.reduce.fadd.v4f64(double 1.0, <4 x double> %v)
  %max = call double @llvm.vector.reduce.fmax.v4f64(<4 x double> %v)
  %r = fmul double %sum, %max
  ret double %r
}

define double @gradient(double %x) {
  %g = call double (ptr, ...) @__enzyme_autodiff(ptr @f, double %x)
  ret double %g
}

define double @tangent(double %x) {
  %t = call double (ptr, ...) @__enzyme_fwddiff(ptr @f, double %x, double 1.0)
  ret double %t
}

; The reverse: the maximum's adjoint to the lanes equal to it (from the
; taped maximum), then the sum's adjoint to every lane.
; CHECK-LABEL: define internal { double } @fluxion.rev.f.out(
; CHECK: %[[MAXADJ:.*]] = load double, ptr %max.adjoint
; CHECK: %[[MAXLANES:.*]] = fcmp {{.*}}oeq <4 x double> %v,
; CHECK: select {{.*}}<4 x i1> %[[MAXLANES]], <4 x double> %{{.*}}, <4 x double> zeroinitializer
; CHECK: %[[SUMADJ:.*]] = load double, ptr %sum.adjoint
; CHECK: %[[SPLAT:.*]] = insertelement <4 x double> poison, double %[[SUMADJ]], i64 0
; CHECK: fadd {{.*}}<4 x double> %{{.*}}, %{{.*}}

; CHECK-LABEL: define internal { double, double } @fluxion.fwd.f.dup(
; CHECK: %sum.tangent = call {{.*}}double @llvm.vector.reduce.fadd.v4f64(double 0.000000e+00, <4 x double> %v.tangent)
; CHECK: %[[PICKED:.*]] = fcmp {{.*}}oeq <4 x double> %v,
; CHECK: %[[LANES:.*]] = select {{.*}}<4 x i1> %[[PICKED]], <4 x double> %v.tangent, <4 x double> zeroinitializer
; CHECK: %max.tangent = call {{.*}}double @llvm.vector.reduce.fadd.v4f64(double -0.000000e+00, <4 x double> %[[LANES]])
