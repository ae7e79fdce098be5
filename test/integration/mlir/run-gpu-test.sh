#!/bin/sh
# run-gpu-test.sh FLUXION-OPT FLUXION-CUDA-CPU CUDA-PATH PROGRAM.mlir HOST.cu OUT
#
# Differentiates the gpu.module of PROGRAM.mlir with fluxion-opt, lowers it
# through NVVM to LLVM bitcode for sm_90 (gpu-module-to-binary
# format=llvm, libdevice from CUDA-PATH), builds it with HOST.cu on the CPU
# executor and runs the result.
set -e
opt=$1 cuda_cpu=$2 cuda_path=$3 program=$4 host=$5 out=$6
here=$(dirname "$0")
CUDA_HOME=$cuda_path "$opt" --fluxion-differentiate \
  "--gpu-lower-to-nvvm-pipeline=cubin-chip=sm_90 cubin-features=+ptx80 cubin-format=llvm" \
  "$program" -o "$out.mlir"
python3 "$here/../../../mlir/utils/gpu-object.py" offload < "$out.mlir" > "$out.bc"
"$cuda_cpu" -O2 --device-bitcode="$out.bc" "$host" -o "$out"
"$out"
