//===- fluxion-opt.cpp - mlir-opt with Fluxion's dialect and passes -------===//

#include "FluxionDialect.h"
#include "FluxionPasses.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry Registry;
  mlir::registerAllDialects(Registry);
  mlir::registerAllExtensions(Registry);
  // For gpu-module-to-binary: GPU kernels go through LLVM IR to PTX.
  mlir::registerAllToLLVMIRTranslations(Registry);
  mlir::registerAllPasses();
  Registry.insert<fluxion::FluxionDialect>();
  fluxion::registerFluxionPasses();
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "Fluxion: MLIR with automatic differentiation\n", Registry));
}
