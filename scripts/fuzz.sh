#!/usr/bin/env bash
# Builds the libFuzzer targets with clang-14 (ASan + UBSan) in build-fuzz and runs each one
# briefly. FUZZ_SECONDS (default 25) sets the time per target; corpora persist in
# build-fuzz/corpus/<target> so repeated runs go deeper.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${FUZZ_BUILD_DIR:-$root/build-fuzz}
seconds=${FUZZ_SECONDS:-25}
bash "$root/scripts/install-deps.sh"
cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
  -DPKIBRIDGE_FUZZ=ON -DSANITIZE=ON -DPKIBRIDGE_TESTS=ON >/dev/null
targets=(fuzz_messaging fuzz_card_responses)
cmake --build "$build_dir" -j"$(nproc)" --target "${targets[@]}"
for t in "${targets[@]}"; do
  corpus="$build_dir/corpus/$t"
  mkdir -p "$corpus"
  seeds="$root/tests/fuzz/seeds/$t"
  echo "== $t (${seconds}s)"
  "$build_dir/bin/$t" -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 "$corpus" $( [ -d "$seeds" ] && echo "$seeds" ) 2>&1 | tail -n 15
done
