#!/usr/bin/env bash
# The compile-time rows of BENCH.md: each program of bench/compile (the README's hello-world, a
# 20-line autograd program, the training loop of docs/training.md) compiled and linked with
# g++ -O2 in tessera's two modes and, written with <torch/torch.h>, against LibTorch:
#   - compiled mode (Note [Compiled mode]): the program against the library tessera::tessera builds,
#     whose one-time build (cmake --build -j2, Release) is timed separately;
#   - header-only mode: the bare compiler line of the README.
# Prints wall times in seconds (best of $RUNS, default 3, the compiles of a program alternating so
# that a slow minute on a shared machine slows all three) and the ratios to LibTorch.
# Needs libtorch-dev for the LibTorch column.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Wall time of one run of "$@", in seconds.
timed() {
  local start end
  start=$(date +%s.%N)
  "$@" > /dev/null
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}
min() { if [[ -z $1 ]] || (( $(echo "$2 < $1" | bc) )); then echo "$2"; else echo "$1"; fi; }
ratio() { if [[ -n $2 ]]; then echo "scale=3; $1 / $2" | bc; else echo "-"; fi; }

cmake -S "$here" -B "$work/lib" -DCMAKE_BUILD_TYPE=Release -DTESSERA_BUILD_TESTS=OFF -DTESSERA_BUILD_EXAMPLES=OFF \
      -DTESSERA_INSTALL=OFF > /dev/null
t_lib=$(timed cmake --build "$work/lib" -j2)
lib=$(find "$work/lib" -name 'libtessera.a' | head -1)
echo "compiled library, built once (cmake --build -j2): ${t_lib} s"

have_torch=0
[[ -f /usr/include/torch/csrc/api/include/torch/torch.h ]] && have_torch=1
flags=(-std=c++20 -O2 -I "$here/include" -I /usr/include/eigen3)
printf '%-10s %10s %12s %10s %14s %16s\n' program compiled header-only LibTorch compiled/torch header-only/torch
for program in hello autograd train; do
  src="$here/bench/compile/$program.cpp"
  t_compiled= t_header= t_torch=
  for ((run = 0; run < runs; ++run)); do
    t_compiled=$(min "$t_compiled" "$(timed g++ "${flags[@]}" -DTESSERA_COMPILED "$src" "$lib" -o "$work/c" -pthread -lz)")
    t_header=$(min "$t_header" "$(timed g++ "${flags[@]}" "$src" -o "$work/h" -pthread -lz)")
    if (( have_torch )); then
      t_torch=$(min "$t_torch" "$(timed g++ -std=c++17 -O2 -I /usr/include/torch/csrc/api/include \
        "$here/bench/compile/${program}_torch.cpp" -o "$work/t" -ltorch -ltorch_cpu -lc10 -pthread)")
    fi
  done
  printf '%-10s %10s %12s %10s %14s %16s\n' "$program" "$t_compiled" "$t_header" "${t_torch:--}" \
         "$(ratio "$t_compiled" "$t_torch")" "$(ratio "$t_header" "$t_torch")"
done
