#!/bin/sh
# run-on-gpu.sh EXE: runs EXE when nvidia-smi finds a GPU, else exits 77,
# which ctest reports as skipped.
if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L 2>/dev/null | grep -q '^GPU'; then
  echo "no GPU found"
  exit 77
fi
exec "$@"
