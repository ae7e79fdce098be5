// Reverse mode through scf.while: the loop grows y by y c + sin(y) until it
// passes a bound, then returns y^2 and the number of steps. The recomputed
// loop caches its scalars in memrefs doubled as it goes (the loop here runs
// past the initial 16 entries), the reverse counts the steps down. The
// gradient in x and c is compared with central differences (the program
// asserts agreement within 1e-6 relative and prints both numbers); the
// step count (26) is the same at the perturbed points, and the steps of
// 1e-8 keep the differences' truncation error (the function is steep in c)
// below the tolerance.
// REQUIRES: mlir
// RUN: %fluxion-opt --fluxion-differentiate %s | %FileCheck --check-prefix=IR %s
// RUN: %fluxion-opt --fluxion-differentiate %lower-to-llvm %s | %mlir-runner | %FileCheck %s

func.func @grow(%x: f64, %c: f64) -> f64 {
  %bound = arith.constant 1.0e3 : f64
  %zero = arith.constant 0 : i64
  %r:2 = scf.while (%y = %x, %n = %zero) : (f64, i64) -> (f64, i64) {
    %more = arith.cmpf olt, %y, %bound : f64
    scf.condition(%more) %y, %n : f64, i64
  } do {
  ^bb0(%y: f64, %n: i64):
    %yc = arith.mulf %y, %c : f64
    %s = math.sin %y : f64
    %big = arith.cmpf ogt, %s, %yc : f64
    %step = scf.if %big -> (f64) {
      %h = arith.mulf %s, %s : f64
      scf.yield %h : f64
    } else {
      scf.yield %s : f64
    }
    %next = arith.addf %yc, %step : f64
    %one = arith.constant 1 : i64
    %m = arith.addi %n, %one : i64
    scf.yield %next, %m : f64, i64
  }
  %sq = arith.mulf %r#0, %r#0 : f64
  return %sq : f64
}

func.func private @printF64(f64)
func.func private @printNewline()

func.func @check(%d: f64, %fd: f64) {
  %err = arith.subf %d, %fd : f64
  %abs = math.absf %err : f64
  %scale = math.absf %fd : f64
  %one = arith.constant 1.0 : f64
  %tol = arith.constant 1.0e-6 : f64
  %s1 = arith.addf %one, %scale : f64
  %bound = arith.mulf %tol, %s1 : f64
  %ok = arith.cmpf ole, %abs, %bound : f64
  cf.assert %ok, "gradient disagrees with central differences"
  call @printF64(%d) : (f64) -> ()
  call @printNewline() : () -> ()
  call @printF64(%fd) : (f64) -> ()
  call @printNewline() : () -> ()
  return
}

func.func @main() {
  %x = arith.constant 0.8 : f64
  %c = arith.constant 1.3 : f64
  %h = arith.constant 1.0e-8 : f64
  %twoh = arith.constant 2.0e-8 : f64
  %g:2 = "fluxion.autodiff"(%x, %c) {callee = @grow, activity = ["active", "active"]} : (f64, f64) -> (f64, f64)

  // CHECK: [[DX:[0-9.e+]+]]
  // CHECK-NEXT: [[DX]]
  %xp = arith.addf %x, %h : f64
  %xm = arith.subf %x, %h : f64
  %fxp = call @grow(%xp, %c) : (f64, f64) -> f64
  %fxm = call @grow(%xm, %c) : (f64, f64) -> f64
  %dfx = arith.subf %fxp, %fxm : f64
  %fdx = arith.divf %dfx, %twoh : f64
  call @check(%g#0, %fdx) : (f64, f64) -> ()

  // CHECK: [[DC:[0-9.e+]+]]
  // CHECK-NEXT: [[DC]]
  %cp = arith.addf %c, %h : f64
  %cm = arith.subf %c, %h : f64
  %fcp = call @grow(%x, %cp) : (f64, f64) -> f64
  %fcm = call @grow(%x, %cm) : (f64, f64) -> f64
  %dfc = arith.subf %fcp, %fcm : f64
  %fdc = arith.divf %dfc, %twoh : f64
  call @check(%g#1, %fdc) : (f64, f64) -> ()
  return
}

// IR-LABEL: func.func private @fluxion.grad.grow.active.active(
// IR: memref.alloc(%{{.*}}) : memref<?xf64>
// IR: scf.while
// IR: memref.dim
// IR: scf.if
// IR: memref.alloc
// IR: memref.dealloc
// IR: scf.condition
// IR: scf.for
// IR: memref.dealloc
