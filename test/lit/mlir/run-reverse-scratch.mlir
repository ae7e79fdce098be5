// Reverse mode through memory allocated in a loop's body: each iteration
// of f fills a scratch buffer from x[i] and sums a function of it. The
// primal buffer is allocated and freed in each recomputed iteration as in
// f; the reverse of each iteration allocates a zeroed shadow for it, walks
// the iteration backwards and frees it. The gradient in every element of x
// and in c is compared with central differences (the program asserts
// agreement within 1e-6 relative and prints the numbers).
// REQUIRES: mlir
// RUN: %fluxion-opt --fluxion-differentiate %s | %FileCheck --check-prefix=IR %s
// RUN: %fluxion-opt --fluxion-differentiate %lower-to-llvm %s | %mlir-runner | %FileCheck %s

func.func @f(%x: memref<?xf64>, %c: f64, %n: index) -> f64 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %zero = arith.constant 0.0 : f64
  %s = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> (f64) {
    %tmp = memref.alloc(%c3) : memref<?xf64>
    %xi = memref.load %x[%i] : memref<?xf64>
    scf.for %k = %c0 to %c3 step %c1 {
      %ki = arith.index_cast %k : index to i64
      %kf = arith.sitofp %ki : i64 to f64
      %w = arith.mulf %kf, %c : f64
      %v = arith.addf %xi, %w : f64
      %sv = math.sin %v : f64
      memref.store %sv, %tmp[%k] : memref<?xf64>
    }
    %part = scf.for %k = %c0 to %c3 step %c1 iter_args(%p = %acc) -> (f64) {
      %t = memref.load %tmp[%k] : memref<?xf64>
      %t2 = arith.mulf %t, %t : f64
      %q = arith.addf %p, %t2 : f64
      scf.yield %q : f64
    }
    memref.dealloc %tmp : memref<?xf64>
    scf.yield %part : f64
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
  %n = arith.constant 4 : index
  %h = arith.constant 1.0e-6 : f64
  %twoh = arith.constant 2.0e-6 : f64
  %zero = arith.constant 0.0 : f64
  %c = arith.constant 0.7 : f64
  %x = memref.alloc(%n) : memref<?xf64>
  %dx = memref.alloc(%n) : memref<?xf64>
  scf.for %i = %c0 to %n step %c1 {
    %ii = arith.index_cast %i : index to i64
    %f = arith.sitofp %ii : i64 to f64
    %v = math.cos %f : f64
    memref.store %v, %x[%i] : memref<?xf64>
    memref.store %zero, %dx[%i] : memref<?xf64>
  }
  %gc = "fluxion.autodiff"(%x, %dx, %c, %n) {callee = @f, activity = ["dup", "active", "const"]} : (memref<?xf64>, memref<?xf64>, f64, index) -> f64
  scf.for %i = %c0 to %n step %c1 {
    %xi = memref.load %x[%i] : memref<?xf64>
    %up = arith.addf %xi, %h : f64
    memref.store %up, %x[%i] : memref<?xf64>
    %fp = func.call @f(%x, %c, %n) : (memref<?xf64>, f64, index) -> f64
    %down = arith.subf %xi, %h : f64
    memref.store %down, %x[%i] : memref<?xf64>
    %fm = func.call @f(%x, %c, %n) : (memref<?xf64>, f64, index) -> f64
    memref.store %xi, %x[%i] : memref<?xf64>
    %diff = arith.subf %fp, %fm : f64
    %fd = arith.divf %diff, %twoh : f64
    %g = memref.load %dx[%i] : memref<?xf64>
    func.call @check(%g, %fd) : (f64, f64) -> ()
  }
  %cp = arith.addf %c, %h : f64
  %cm = arith.subf %c, %h : f64
  %fcp = func.call @f(%x, %cp, %n) : (memref<?xf64>, f64, index) -> f64
  %fcm = func.call @f(%x, %cm, %n) : (memref<?xf64>, f64, index) -> f64
  %dc = arith.subf %fcp, %fcm : f64
  %fdc = arith.divf %dc, %twoh : f64
  call @check(%gc, %fdc) : (f64, f64) -> ()
  return
}

// IR-LABEL: func.func private @fluxion.grad.f.dup.active.const(
// IR: scf.for
// IR: %[[TMP:.*]] = memref.alloc(%{{.*}}) : memref<?xf64>
// IR: memref.dealloc %[[TMP]]
// The reverse iteration's shadow.
// IR: scf.for
// IR: %[[SHADOW:.*]] = memref.alloc(%{{.*}}) : memref<?xf64>
// IR: memref.dealloc %[[SHADOW]]

// CHECK-COUNT-5: {{^-?[0-9]}}
