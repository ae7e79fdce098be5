// The gradient of a 1-D stencil written with scf.parallel, from MLIR.
//
// residual[i] = k (u[i-1] - 2 u[i] + u[i+1]) + sin(u[i]) for the interior
// points, computed in parallel into a local buffer; energy = sum of
// residual^2, a parallel sum reduction. In the gradient every iteration of the reversed parallel loop
// adds the adjoints of its three reads of u to u's shadow: neighbouring
// iterations read the same elements, so those additions are atomic
// (memref.atomic_rmw addf); the adjoint of k, read by every iteration, is
// summed by an scf.reduce; each term of the energy's sum gets the
// energy's adjoint, and in forward mode the tangents are summed beside the
// terms. main compares the reverse-mode gradient (in u
// and k) and the forward-mode derivative along a direction with the
// central difference of the energy along it, and asserts agreement within
// 1e-6 relative. Run it with the pipeline in rosenbrock.mlir.

func.func @energy(%u: memref<?xf64>, %k: f64, %n: index) -> f64 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f64
  %two = arith.constant 2.0 : f64
  %r = memref.alloc(%n) : memref<?xf64>
  %last = arith.subi %n, %c1 : index
  scf.parallel (%i) = (%c1) to (%last) step (%c1) {
    %im = arith.subi %i, %c1 : index
    %ip = arith.addi %i, %c1 : index
    %l = memref.load %u[%im] : memref<?xf64>
    %c = memref.load %u[%i] : memref<?xf64>
    %rr = memref.load %u[%ip] : memref<?xf64>
    %c2 = arith.mulf %two, %c : f64
    %s = arith.addf %l, %rr : f64
    %lap = arith.subf %s, %c2 : f64
    %kl = arith.mulf %k, %lap : f64
    %sc = math.sin %c : f64
    %v = arith.addf %kl, %sc : f64
    memref.store %v, %r[%i] : memref<?xf64>
    scf.reduce
  }
  %e = scf.parallel (%i) = (%c1) to (%last) step (%c1) init (%zero) -> f64 {
    %v = memref.load %r[%i] : memref<?xf64>
    %q = arith.mulf %v, %v : f64
    scf.reduce(%q : f64) {
    ^bb0(%a: f64, %b: f64):
      %s = arith.addf %a, %b : f64
      scf.reduce.return %s : f64
    }
  }
  memref.dealloc %r : memref<?xf64>
  return %e : f64
}

func.func private @printF64(f64)
func.func private @printNewline()

func.func @show(%v: f64) {
  call @printF64(%v) : (f64) -> ()
  call @printNewline() : () -> ()
  return
}

func.func @agree(%a: f64, %b: f64) {
  %err = arith.subf %a, %b : f64
  %abs = math.absf %err : f64
  %scale = math.absf %b : f64
  %one = arith.constant 1.0 : f64
  %tol = arith.constant 1.0e-6 : f64
  %s1 = arith.addf %one, %scale : f64
  %bound = arith.mulf %tol, %s1 : f64
  %ok = arith.cmpf ole, %abs, %bound : f64
  cf.assert %ok, "derivative disagrees with central differences"
  return
}

// The energy at (u + h du, k + h dk).
func.func @energy_at(%u: memref<?xf64>, %du: memref<?xf64>, %k: f64, %dk: f64, %h: f64, %n: index) -> f64 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %w = memref.alloc(%n) : memref<?xf64>
  scf.for %i = %c0 to %n step %c1 {
    %a = memref.load %u[%i] : memref<?xf64>
    %d = memref.load %du[%i] : memref<?xf64>
    %hd = arith.mulf %h, %d : f64
    %v = arith.addf %a, %hd : f64
    memref.store %v, %w[%i] : memref<?xf64>
  }
  %hk = arith.mulf %h, %dk : f64
  %kk = arith.addf %k, %hk : f64
  %e = call @energy(%w, %kk, %n) : (memref<?xf64>, f64, index) -> f64
  memref.dealloc %w : memref<?xf64>
  return %e : f64
}

func.func @main() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n = arith.constant 64 : index
  %zero = arith.constant 0.0 : f64
  %k = arith.constant 0.8 : f64
  %dk = arith.constant -0.6 : f64
  %scale = arith.constant 0.37 : f64
  %u = memref.alloc(%n) : memref<?xf64>
  %du = memref.alloc(%n) : memref<?xf64>
  %gu = memref.alloc(%n) : memref<?xf64>
  scf.for %i = %c0 to %n step %c1 {
    %ii = arith.index_cast %i : index to i64
    %fi = arith.sitofp %ii : i64 to f64
    %a = arith.mulf %fi, %scale : f64
    %v = math.sin %a : f64
    memref.store %v, %u[%i] : memref<?xf64>
    %d = math.cos %fi : f64
    memref.store %d, %du[%i] : memref<?xf64>
    memref.store %zero, %gu[%i] : memref<?xf64>
  }

  %gk = "fluxion.autodiff"(%u, %gu, %k, %n) {callee = @energy, activity = ["dup", "active", "const"]} : (memref<?xf64>, memref<?xf64>, f64, index) -> f64
  %gu_du = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> (f64) {
    %g = memref.load %gu[%i] : memref<?xf64>
    %d = memref.load %du[%i] : memref<?xf64>
    %p = arith.mulf %g, %d : f64
    %s = arith.addf %acc, %p : f64
    scf.yield %s : f64
  }
  %gk_dk = arith.mulf %gk, %dk : f64
  %along = arith.addf %gu_du, %gk_dk : f64

  %tangent = "fluxion.fwddiff"(%u, %du, %k, %dk, %n) {callee = @energy, activity = ["dup", "dup", "const"]} : (memref<?xf64>, memref<?xf64>, f64, f64, index) -> f64

  %h = arith.constant 1.0e-6 : f64
  %mh = arith.constant -1.0e-6 : f64
  %ep = call @energy_at(%u, %du, %k, %dk, %h, %n) : (memref<?xf64>, memref<?xf64>, f64, f64, f64, index) -> f64
  %em = call @energy_at(%u, %du, %k, %dk, %mh, %n) : (memref<?xf64>, memref<?xf64>, f64, f64, f64, index) -> f64
  %diff = arith.subf %ep, %em : f64
  %twoh = arith.constant 2.0e-6 : f64
  %fd = arith.divf %diff, %twoh : f64

  call @show(%along) : (f64) -> ()
  call @show(%tangent) : (f64) -> ()
  call @show(%fd) : (f64) -> ()
  call @agree(%along, %fd) : (f64, f64) -> ()
  call @agree(%tangent, %fd) : (f64, f64) -> ()
  return
}
