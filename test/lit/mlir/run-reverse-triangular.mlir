// Reverse mode through a triangular loop nest: the inner loop's bounds
// depend on the outer induction variable. Its caches are sized by a nest
// that counts its iterations before the outer loop (from the bounds alone),
// and each run of it takes its entries from a counter, whose value the
// outer loop caches. f(x) = sum_{i<n} prod_{j<=i} sin(x_j + i) with a
// running product in the inner loop; the gradient in every x_j is compared
// with central differences (the program asserts agreement within 1e-6
// relative and prints the numbers).
// REQUIRES: mlir
// RUN: %fluxion-opt --fluxion-differentiate %s | %FileCheck --check-prefix=IR %s
// RUN: %fluxion-opt --fluxion-differentiate %lower-to-llvm %s | %mlir-runner | %FileCheck %s

func.func @f(%x: memref<?xf64>, %n: index) -> f64 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f64
  %one = arith.constant 1.0 : f64
  %s = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> (f64) {
    %ii = arith.index_cast %i : index to i64
    %fi = arith.sitofp %ii : i64 to f64
    %end = arith.addi %i, %c1 : index
    %p = scf.for %j = %c0 to %end step %c1 iter_args(%q = %one) -> (f64) {
      %xj = memref.load %x[%j] : memref<?xf64>
      %a = arith.addf %xj, %fi : f64
      %sa = math.sin %a : f64
      %r = arith.mulf %q, %sa : f64
      scf.yield %r : f64
    }
    %t = arith.addf %acc, %p : f64
    scf.yield %t : f64
  }
  return %s : f64
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
  return
}

func.func @main() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = arith.constant 5 : index
  %h = arith.constant 1.0e-6 : f64
  %twoh = arith.constant 2.0e-6 : f64
  %zero = arith.constant 0.0 : f64
  %x = memref.alloc(%n) : memref<?xf64>
  %dx = memref.alloc(%n) : memref<?xf64>
  scf.for %i = %c0 to %n step %c1 {
    %ii = arith.index_cast %i : index to i64
    %f = arith.sitofp %ii : i64 to f64
    %v = math.cos %f : f64
    memref.store %v, %x[%i] : memref<?xf64>
    memref.store %zero, %dx[%i] : memref<?xf64>
  }
  "fluxion.autodiff"(%x, %dx, %n) {callee = @f, activity = ["dup", "const"]} : (memref<?xf64>, memref<?xf64>, index) -> ()
  scf.for %i = %c0 to %n step %c1 {
    %xi = memref.load %x[%i] : memref<?xf64>
    %up = arith.addf %xi, %h : f64
    memref.store %up, %x[%i] : memref<?xf64>
    %fp = func.call @f(%x, %n) : (memref<?xf64>, index) -> f64
    %down = arith.subf %xi, %h : f64
    memref.store %down, %x[%i] : memref<?xf64>
    %fm = func.call @f(%x, %n) : (memref<?xf64>, index) -> f64
    memref.store %xi, %x[%i] : memref<?xf64>
    %diff = arith.subf %fp, %fm : f64
    %fd = arith.divf %diff, %twoh : f64
    %g = memref.load %dx[%i] : memref<?xf64>
    func.call @check(%g, %fd) : (f64, f64) -> ()
  }
  return
}

// The counting nest before the outer loop sizes the inner loop's caches.
// IR-LABEL: func.func private @fluxion.grad.f.dup.const(
// IR: %[[TOTAL:.*]] = scf.for {{.*}} -> (index) {
// IR: memref.alloca() : memref<index>
// IR: memref.alloc(%[[TOTAL]]) : memref<?xf64>
// IR: scf.for
// IR: memref.load %{{.*}}[] : memref<index>

// CHECK-COUNT-5: {{^-?[0-9]}}
