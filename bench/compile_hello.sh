#!/usr/bin/env bash
# The compile_hello row of BENCH.md: compile and link a hello-world that includes the umbrella
# header with g++ -O2, against the same program written with <torch/torch.h>. Prints both times
# (best of 3) and their ratio. Needs libtorch-dev for the LibTorch side.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat > "$work/hello_tessera.cpp" <<'CPP'
#include <tessera/tessera.hpp>
#include <iostream>
int main() {
  auto x = ts::ones({2, 3});
  std::cout << x + 1.0 << "\n";
}
CPP
cat > "$work/hello_torch.cpp" <<'CPP'
#include <torch/torch.h>
#include <iostream>
int main() {
  auto x = torch::ones({2, 3});
  std::cout << x + 1.0 << "\n";
}
CPP
best() {  # best wall time of three runs of "$@", in seconds
  local best=
  for _ in 1 2 3; do
    local start end
    start=$(date +%s.%N)
    "$@"
    end=$(date +%s.%N)
    local t
    t=$(echo "$end - $start" | bc)
    if [[ -z $best ]] || (( $(echo "$t < $best" | bc) )); then best=$t; fi
  done
  echo "$best"
}
t_ts=$(best g++ -std=c++20 -O2 -I "$here/include" -I /usr/include/eigen3 "$work/hello_tessera.cpp" -o "$work/a" -pthread)
echo "tessera:  ${t_ts} s"
if [[ -f /usr/include/torch/csrc/api/include/torch/torch.h ]]; then
  t_pt=$(best g++ -std=c++17 -O2 -I /usr/include/torch/csrc/api/include "$work/hello_torch.cpp" -o "$work/b" \
         -ltorch -ltorch_cpu -lc10 -pthread)
  echo "LibTorch: ${t_pt} s"
  echo "ratio:    $(echo "scale=3; $t_ts / $t_pt" | bc)"
fi
