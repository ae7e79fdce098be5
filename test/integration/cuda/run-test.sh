#!/bin/sh
# run-test.sh [--expect-failure] COMPILER SOURCE OPT EXE [FLAGS...]:
# compiles SOURCE at OPT and runs it. With --expect-failure the build or the
# run must fail (the test's pass pattern then checks the message), and a
# crash counts as the expected failure rather than as a crash of the test.
expect_failure=0
if [ "$1" = --expect-failure ]; then
  expect_failure=1
  shift
fi
compiler=$1 source=$2 opt=$3 exe=$4
shift 4
if [ $expect_failure = 0 ]; then
  "$compiler" "$opt" "$@" "$source" -o "$exe" || exit 1
  exec "$exe"
fi
if "$compiler" "$opt" "$@" "$source" -o "$exe" && "$exe"; then
  echo "unexpected success"
  exit 1
fi
exit 0
