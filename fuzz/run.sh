#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (AddressSanitizer and UBSan) and runs each for
# $1 seconds (default 60) from the seed corpus in fuzz/corpus/<target>/. Needs clang,
# libclang-rt-14-dev and zlib1g-dev. A finding makes the script fail and leaves a crash-* file
# in the build dir. FUZZ_JOBS (default 2) targets build and run at once, one core each.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
out=${FUZZ_OUT:-$here/build-fuzz}
jobs=${FUZZ_JOBS:-2}
mkdir -p "$out"
targets=(npy safetensors json idx)
# Inputs must be able to reach every limit the loaders enforce: 65 dims, 65 levels of nesting,
# more than the 64 KiB read buffer of gzip input (idx), the json target's small JsonLimits.
declare -A max_len=([npy]=65536 [safetensors]=65536 [json]=65536 [idx]=262144)
# Seeds kept elsewhere in the tree: the Fashion-MNIST slice's .gz files (over 64 KiB of input).
declare -A extra_seeds=([idx]="$here/tests/data/fashion-mnist-slice")

# Runs "$@" for each target, $jobs at a time; fails if one of them failed.
each_target() {
  local pids=() failed=0 target
  for target in "${targets[@]}"; do
    "$@" "$target" &
    pids+=($!)
    if [ "${#pids[@]}" -ge "$jobs" ]; then
      wait "${pids[0]}" || failed=1
      pids=("${pids[@]:1}")
    fi
  done
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  return $failed
}

build() {
  clang++ -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I "$here/include" "$here/fuzz/$1.cpp" -pthread -lz -o "$out/fuzz_$1"
}

run() {
  local work rc=0
  work=$(mktemp -d)  # new inputs land here; the checked-in corpus stays as it is
  (cd "$out" && ./fuzz_$1 -max_total_time="$seconds" -max_len="${max_len[$1]}" -timeout=10 -rss_limit_mb=2048 \
     -print_final_stats=1 "$work" "$here/fuzz/corpus/$1" ${extra_seeds[$1]:+"${extra_seeds[$1]}"}) > "$out/fuzz_$1.log" 2>&1 || rc=$?
  echo $rc > "$out/fuzz_$1.status"
  rm -rf "$work"
}

each_target build || { echo "building a fuzz target failed" >&2; exit 1; }
each_target run || true
status=0
for target in "${targets[@]}"; do
  tail -n 12 "$out/fuzz_$target.log"
  if [ "$(cat "$out/fuzz_$target.status")" != 0 ]; then
    echo "fuzz_$target found a failure; see $out/fuzz_$target.log" >&2
    status=1
  fi
done
exit $status
