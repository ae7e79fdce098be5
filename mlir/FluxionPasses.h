//===- FluxionPasses.h - Fluxion's MLIR passes --------------------*- C++
//-*-===//
#ifndef FLUXION_MLIR_FLUXIONPASSES_H
#define FLUXION_MLIR_FLUXIONPASSES_H

#include "mlir/Pass/Pass.h"

#include <memory>

namespace fluxion {

/// --fluxion-differentiate: replaces fluxion.fwddiff by calls of tangent
/// functions synthesized in MLIR (ForwardMode.cpp).
std::unique_ptr<mlir::Pass> createDifferentiatePass();

/// Registers the passes with mlir-opt's command line.
void registerFluxionPasses();

} // namespace fluxion

#endif
