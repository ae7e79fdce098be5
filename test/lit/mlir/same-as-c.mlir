// The same program differentiated natively in MLIR and, written in C, by the
// LLVM plugin prints the same gradient (to the six digits both print): a
// Horner recurrence in a loop over constant weights, reverse mode in x and
// y.
// REQUIRES: mlir
// RUN: %fluxion-clang -O2 %S/Inputs/horner.c -o %t.exe -lm
// RUN: %t.exe > %t.c.txt
// RUN: %fluxion-opt --fluxion-differentiate %lower-to-llvm %s | %mlir-runner > %t.mlir.txt
// RUN: diff %t.c.txt %t.mlir.txt

func.func @horner(%x: f64, %y: f64, %w: memref<?xf64>, %n: index) -> f64 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %ni = arith.index_cast %n : index to i64
  %nf = arith.sitofp %ni : i64 to f64
  %acc = scf.for %i = %c0 to %n step %c1 iter_args(%a = %y) -> (f64) {
    %wi = memref.load %w[%i] : memref<?xf64>
    %ii = arith.index_cast %i : index to i64
    %if = arith.sitofp %ii : i64 to f64
    %yi = arith.mulf %y, %if : f64
    %t = arith.divf %yi, %nf : f64
    %s = math.sin %t : f64
    %ws = arith.mulf %wi, %s : f64
    %ax = arith.mulf %a, %x : f64
    %next = arith.addf %ax, %ws : f64
    scf.yield %next : f64
  }
  %r = arith.mulf %acc, %acc : f64
  return %r : f64
}

func.func private @printF64(f64)
func.func private @printNewline()

func.func @main() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = arith.constant 6 : index
  %w = memref.alloc(%n) : memref<?xf64>
  scf.for %i = %c0 to %n step %c1 {
    %ii = arith.index_cast %i : index to i64
    %f = arith.sitofp %ii : i64 to f64
    %wi = math.cos %f : f64
    memref.store %wi, %w[%i] : memref<?xf64>
  }
  %x = arith.constant 0.9 : f64
  %y = arith.constant 0.4 : f64
  %g:2 = "fluxion.autodiff"(%x, %y, %w, %n) {callee = @horner, activity = ["active", "active", "const", "const"]} : (f64, f64, memref<?xf64>, index) -> (f64, f64)
  call @printF64(%g#0) : (f64) -> ()
  call @printNewline() : () -> ()
  call @printF64(%g#1) : (f64) -> ()
  call @printNewline() : () -> ()
  return
}
