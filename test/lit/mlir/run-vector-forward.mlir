// Vector forward mode: with width = 2, each "dup" argument takes two
// tangents and fluxion.fwddiff gives the tangents of both results along
// each direction, here the two columns of the Jacobian of
// (x, y) -> (sin(x) y, x^2 + y) at (0.7, 1.9), checked against the closed
// forms within 1e-12 (--fluxion-differentiate calls the tangent function
// once per direction). The transcript is printed; FileCheck reads it.
// REQUIRES: mlir
// RUN: %fluxion-opt --fluxion-differentiate %s | %FileCheck --check-prefix=IR %s
// RUN: %fluxion-opt --fluxion-differentiate %lower-to-llvm %s | %mlir-runner | %FileCheck %s
// Through the bridge: one __enzyme_fwddiff call per direction (main returns
// nothing, so its exit status is whatever was left; an abort is a signal).
// RUN: %fluxion-opt %bridge-to-llvm %s | %mlir-translate --mlir-to-llvmir -o %t.ll
// RUN: %FileCheck --check-prefix=BRIDGE %s < %t.ll
// RUN: %fluxion-clang -O2 -Wno-override-module %t.ll -o %t.exe %mlir-runtime-lib -lm
// RUN: %t.exe > %t.txt || test $? -lt 128
// RUN: %FileCheck %s < %t.txt

func.func @f(%x: f64, %y: f64) -> (f64, f64) {
  %s = math.sin %x : f64
  %a = arith.mulf %s, %y : f64
  %x2 = arith.mulf %x, %x : f64
  %b = arith.addf %x2, %y : f64
  return %a, %b : f64, f64
}

func.func private @printF64(f64)
func.func private @printNewline()

func.func @expect(%got: f64, %want: f64) {
  %d = arith.subf %got, %want : f64
  %e = math.absf %d : f64
  %tol = arith.constant 1.0e-12 : f64
  %ok = arith.cmpf ole, %e, %tol : f64
  cf.assert %ok, "Jacobian entry disagrees with its closed form"
  call @printF64(%got) : (f64) -> ()
  call @printNewline() : () -> ()
  return
}

func.func @main() {
  %x = arith.constant 0.7 : f64
  %y = arith.constant 1.9 : f64
  %one = arith.constant 1.0 : f64
  %zero = arith.constant 0.0 : f64
  // Directions e_x and e_y.
  %j:4 = "fluxion.fwddiff"(%x, %one, %zero, %y, %zero, %one) {callee = @f, activity = ["dup", "dup"], width = 2 : i64} : (f64, f64, f64, f64, f64, f64) -> (f64, f64, f64, f64)
  %c = math.cos %x : f64
  %s = math.sin %x : f64
  %cy = arith.mulf %c, %y : f64
  %two = arith.constant 2.0 : f64
  %twox = arith.mulf %two, %x : f64
  call @expect(%j#0, %cy) : (f64, f64) -> ()
  call @expect(%j#1, %twox) : (f64, f64) -> ()
  call @expect(%j#2, %s) : (f64, f64) -> ()
  call @expect(%j#3, %one) : (f64, f64) -> ()
  return
}

// IR-LABEL: func.func @main()
// IR: call @fluxion.fwd.f.dup.dup(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}})
// IR: call @fluxion.fwd.f.dup.dup(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}})

// BRIDGE-COUNT-2: call { double, double } (ptr, ...) @__enzyme_fwddiff(ptr @f,

// CHECK: 1.4532
// CHECK-NEXT: 1.4
// CHECK-NEXT: 0.644218
// CHECK-NEXT: 1
