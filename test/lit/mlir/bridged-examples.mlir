// The MLIR examples through the bridge: lowered with the upstream
// conversions, their fluxion ops handed to the LLVM plugin by
// --fluxion-lower-to-llvm, compiled and run; each checks its derivatives
// against central differences (or convergence) itself and must print what
// the native derivatives print. The memref arguments of mlp_layer reach
// the plugin as descriptor fields, pointers "dup", the rest constant.
// Each main returns nothing, so its exit status is whatever was left in the
// register; an abort (cf.assert) is a signal.
// REQUIRES: mlir
// RUN: %fluxion-opt --fluxion-differentiate %lower-to-llvm %S/../../../examples/mlir/mlp_layer.mlir | %mlir-runner > %t.mlp.native.txt
// RUN: %fluxion-opt %bridge-to-llvm %S/../../../examples/mlir/mlp_layer.mlir | %mlir-translate --mlir-to-llvmir -o %t.mlp.ll
// RUN: %FileCheck --check-prefix=MEMREF %s < %t.mlp.ll
// RUN: %fluxion-clang -O2 -Wno-override-module %t.mlp.ll -o %t.mlp.exe %mlir-runtime-lib -lm
// RUN: %t.mlp.exe > %t.mlp.bridged.txt || test $? -lt 128
// RUN: diff %t.mlp.native.txt %t.mlp.bridged.txt
// RUN: %fluxion-opt --fluxion-differentiate %lower-to-llvm %S/../../../examples/mlir/rosenbrock.mlir | %mlir-runner > %t.rosenbrock.native.txt
// RUN: %fluxion-opt %bridge-to-llvm %S/../../../examples/mlir/rosenbrock.mlir | %mlir-translate --mlir-to-llvmir -o %t.rosenbrock.ll
// RUN: %fluxion-clang -O2 -Wno-override-module %t.rosenbrock.ll -o %t.rosenbrock.exe %mlir-runtime-lib -lm
// RUN: %t.rosenbrock.exe > %t.rosenbrock.bridged.txt || test $? -lt 128
// RUN: diff %t.rosenbrock.native.txt %t.rosenbrock.bridged.txt

// The gradient request of mlp_layer: W (2-D), b and x "dup", t const.
// MEMREF: call void (ptr, ...) @__enzyme_autodiff(ptr @loss, i32 %{{.*}}, ptr %{{.*}}, ptr %{{.*}}, i32 %{{.*}}, ptr %{{.*}}, ptr %{{.*}}, i32 %{{.*}}, i64
