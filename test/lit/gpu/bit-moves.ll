; libdevice reads a double's words with llvm.nvvm.d2i.hi / d2i.lo and builds
; doubles with llvm.nvvm.lohi.i2d. Fluxion turns them into bit casts: the
; high word used only to choose a branch (an exponent test) leaves the
; derivative intact, and float-to-integer conversions (f2i.rn, a quadrant
; index) have none. A round trip of the bits through integers is an error.
; RUN: rm -rf %t && split-file %s %t
; RUN: %opt -passes=fluxion -S %t/branch.ll | %FileCheck %s --check-prefix=BRANCH
; RUN: %not %opt -passes=fluxion -disable-output %t/trip.ll 2>&1 | %FileCheck %s --check-prefix=TRIP

; BRANCH-LABEL: define internal { double } @fluxion.rev.scaled.out(
; BRANCH-NOT: nvvm.d2i
; BRANCH: fmul {{(reassoc nsz contract )?}}double
; BRANCH-LABEL: define internal { double } @fluxion.grad.scaled.out(

; TRIP: error: {{.*}}fluxion: the derivative of an active value would be lost: its bits pass through integer operations {{.*}} (in function 'doubled')

;--- branch.ll
target triple = "nvptx64-nvidia-cuda"
declare i32 @llvm.nvvm.d2i.hi(double)
declare i32 @llvm.nvvm.f2i.rn(float)
declare double @__enzyme_autodiff(ptr, ...)

; x * x when the exponent field of x is small, else 2 x, plus a term
; scaled by the quadrant index rint(x).
define double @scaled(double %x) {
entry:
  %hi = call i32 @llvm.nvvm.d2i.hi(double %x)
  %exponent = lshr i32 %hi, 20
  %small = icmp ult i32 %exponent, 1100
  %xf = fptrunc double %x to float
  %quadrant = call i32 @llvm.nvvm.f2i.rn(float %xf)
  %q = sitofp i32 %quadrant to double
  %offset = fmul double %q, %x
  br i1 %small, label %square, label %twice
square:
  %sq = fmul double %x, %x
  br label %join
twice:
  %tw = fmul double %x, 2.0
  br label %join
join:
  %v = phi double [ %sq, %square ], [ %tw, %twice ]
  %r = fadd double %v, %offset
  ret double %r
}

define double @gradient(double %x) {
  %d = call double (ptr, ...) @__enzyme_autodiff(ptr @scaled, double %x)
  ret double %d
}

;--- trip.ll
target triple = "nvptx64-nvidia-cuda"
declare i32 @llvm.nvvm.d2i.hi(double)
declare i32 @llvm.nvvm.d2i.lo(double)
declare double @llvm.nvvm.lohi.i2d(i32, i32)
declare double @__enzyme_autodiff(ptr, ...)

; 2 x by adding one to the exponent field.
define double @doubled(double %x) {
  %hi = call i32 @llvm.nvvm.d2i.hi(double %x)
  %lo = call i32 @llvm.nvvm.d2i.lo(double %x)
  %up = add i32 %hi, 1048576
  %y = call double @llvm.nvvm.lohi.i2d(i32 %lo, i32 %up)
  ret double %y
}

define double @gradient(double %x) {
  %d = call double (ptr, ...) @__enzyme_autodiff(ptr @doubled, double %x)
  ret double %d
}
