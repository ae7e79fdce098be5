#!/usr/bin/env bash
# Installs what Fluxion needs (Debian bookworm, as root) and builds it in
# build/. Sourced by test/run.sh and examples/demo.sh.
set -euo pipefail
FLUXION_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
packages=(clang-22 llvm-22-dev llvm-22-tools libclang-22-dev libmlir-22-dev
  mlir-22-tools lld-22 ninja-build cmake libgtest-dev libbenchmark-dev ccache
  libeigen3-dev libclang-rt-22-dev libomp-22-dev libopenmpi-dev openmpi-bin)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
    missing+=("$p")
done
if ((${#missing[@]})); then
  echo "Installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
cmake -S "$FLUXION_ROOT" -B "$FLUXION_ROOT/build" -G Ninja \
  -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$FLUXION_ROOT/build" -j 2
