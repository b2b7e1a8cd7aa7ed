#!/usr/bin/env bash
# Builds, then runs the benchmarks, which print their figures (not pass/fail tests).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BUILD_DIR:-$root/build}
BUILD_DIR=$build_dir bash "$root/scripts/build.sh"
cd "$build_dir"
ctest -L benchmark --verbose ${CTEST_ARGS:-}
