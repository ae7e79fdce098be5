import os
import shutil
import sys
import lit.formats

config.name = "Fluxion"
config.test_format = lit.formats.ShTest(True)
config.suffixes = [".ll", ".c", ".cpp"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(os.path.dirname(config.fluxion_plugin), "..", "test", "lit", "out")
config.excludes = ["CMakeLists.txt", "Inputs"]

tools = config.llvm_tools_dir
# opt verifies its output; -verify-each also checks after every pass.
config.substitutions.append(
    ("%opt", f"{tools}/opt -load-pass-plugin={config.fluxion_plugin} -verify-each"))
config.substitutions.append(("%fluxion-clang\\+\\+", f"{config.fluxion_bin_dir}/fluxion-clang++"))
config.substitutions.append(("%fluxion-clang", f"{config.fluxion_bin_dir}/fluxion-clang"))
# The build tree's root: bin/, lib/ and include/ laid out as an installation.
config.substitutions.append(
    ("%fluxion-tree", os.path.normpath(os.path.join(config.fluxion_bin_dir, ".."))))
config.substitutions.append(("%FileCheck", f"{tools}/FileCheck"))
config.substitutions.append(("%not", f"{tools}/not"))
config.environment["PATH"] = os.pathsep.join([tools, config.environment.get("PATH", "")])

# The MLIR engine, where the build has it: fluxion-opt, the pipeline that
# lowers a differentiated module to the LLVM dialect, and mlir-runner with
# the runtime that prints numbers.
fluxion_opt = os.path.join(config.fluxion_bin_dir, "fluxion-opt")
if os.path.exists(fluxion_opt):
    config.available_features.add("mlir")
    config.substitutions.append(("%fluxion-opt", fluxion_opt))
    config.substitutions.append(("%lower-to-llvm", " ".join([
        "--convert-math-to-llvm", "--convert-math-to-libm",
        "--convert-scf-to-cf", "--convert-arith-to-llvm", "--convert-ub-to-llvm",
        "--convert-cf-to-llvm", "--finalize-memref-to-llvm",
        "--convert-func-to-llvm", "--reconcile-unrealized-casts"])))
    # The same conversions with the fluxion ops handed to the LLVM plugin.
    config.substitutions.append(("%bridge-to-llvm", " ".join([
        "--convert-math-to-llvm", "--convert-math-to-libm",
        "--convert-scf-to-cf", "--convert-arith-to-llvm", "--convert-ub-to-llvm",
        "--convert-cf-to-llvm", "--finalize-memref-to-llvm",
        "--convert-func-to-llvm", "--fluxion-lower-to-llvm",
        "--reconcile-unrealized-casts"])))
    libs = os.path.join(os.path.dirname(tools), "lib")
    config.substitutions.append(("%mlir-translate", f"{tools}/mlir-translate"))
    config.substitutions.append(("%mlir-runtime-lib", " ".join([
        f"-L{libs}", "-lmlir_c_runner_utils", f"-Wl,-rpath,{libs}"])))
    config.substitutions.append(("%mlir-runner", " ".join([
        f"{tools}/mlir-runner", "-e main -entry-point-result=void",
        f"-shared-libs={libs}/libmlir_c_runner_utils.so,{libs}/libmlir_runner_utils.so"])))
    config.substitutions.append(("%gpu-object", " ".join([
        sys.executable,
        os.path.join(config.fluxion_source_dir, "..", "..", "mlir", "utils", "gpu-object.py")])))
    ptxas = shutil.which("ptxas", path="/usr/local/cuda/bin")
    if ptxas:
        config.available_features.add("ptxas")
        config.substitutions.append(("%ptxas", ptxas))
        # Where MLIR's NVVM target finds libdevice for math functions.
        config.environment["CUDA_HOME"] = os.path.dirname(os.path.dirname(ptxas))
config.suffixes.append(".mlir")
