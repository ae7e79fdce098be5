#!/usr/bin/env bash
# Builds Fluxion, compiles examples/scalar/demo.c with fluxion-clang and runs
# it: derivatives in forward and reverse mode next to finite differences.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../test/setup.sh"
out="$FLUXION_ROOT/build/examples"
mkdir -p "$out"
"$FLUXION_ROOT/build/bin/fluxion-clang" -O2 \
  "$FLUXION_ROOT/examples/scalar/demo.c" -o "$out/demo" -lm
"$out/demo"
