#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (AddressSanitizer and UBSan) and runs each for
# $1 seconds (default 60) from the seed corpus in fuzz/corpus/. Needs clang and
# libclang-rt-14-dev. A finding makes the script fail and leaves a crash-* file in the build dir.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
out=${FUZZ_OUT:-$here/build-fuzz}
mkdir -p "$out"
# Build both targets, then fuzz both at once (one core each).
pids=()
for target in npy safetensors; do
  clang++ -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I "$here/include" "$here/fuzz/$target.cpp" -pthread -o "$out/fuzz_$target" &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid" || { echo "building a fuzz target failed" >&2; exit 1; }; done
status=0
for target in npy safetensors; do
  work=$(mktemp -d)  # new inputs land here; the checked-in corpus stays as it is
  (cd "$out" && ./fuzz_$target -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
     -print_final_stats=1 "$work" "$here/fuzz/corpus/$target" > "$out/fuzz_$target.log" 2>&1; echo $? > "$out/fuzz_$target.status"; rm -rf "$work") &
done
wait
for target in npy safetensors; do
  tail -n 12 "$out/fuzz_$target.log"
  if [ "$(cat "$out/fuzz_$target.status")" != 0 ]; then
    echo "fuzz_$target found a failure; see $out/fuzz_$target.log" >&2
    status=1
  fi
done
exit $status
