#!/usr/bin/env bash
# Builds Fluxion and runs the whole test suite (lit, unit, integration).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
ctest --test-dir "$FLUXION_ROOT/build" --output-on-failure -j 2
