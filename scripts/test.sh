#!/usr/bin/env bash
# README command 2: install everything, build, and run every test (unit + integration).
# Benchmarks are separate: scripts/bench.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${BUILD_DIR:-$root/build}
BUILD_DIR=$build_dir bash "$root/scripts/build.sh" "$@"
cd "$build_dir"
ctest -LE benchmark --output-on-failure --timeout 900 ${CTEST_ARGS:-}
