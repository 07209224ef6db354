#!/usr/bin/env bash
# The compile_hello row of BENCH.md: compile and link a hello-world that includes the umbrella
# header with g++ -O2, against the same program written with <torch/torch.h>. Prints both times
# (best of 5, the two compiles alternating) and their ratio. Needs libtorch-dev for the LibTorch side.
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
# Wall time of one run of "$@", in seconds.
timed() {
  local start end
  start=$(date +%s.%N)
  "$@"
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}
min() { if [[ -z $1 ]] || (( $(echo "$2 < $1" | bc) )); then echo "$2"; else echo "$1"; fi; }
ts_cmd=(g++ -std=c++20 -O2 -I "$here/include" -I /usr/include/eigen3 "$work/hello_tessera.cpp" -o "$work/a" -pthread)
pt_cmd=(g++ -std=c++17 -O2 -I /usr/include/torch/csrc/api/include "$work/hello_torch.cpp" -o "$work/b"
        -ltorch -ltorch_cpu -lc10 -pthread)
have_torch=0
[[ -f /usr/include/torch/csrc/api/include/torch/torch.h ]] && have_torch=1
# The two compiles alternate, so a slow minute on a shared machine slows both; best of 5 each.
t_ts= t_pt=
for _ in 1 2 3 4 5; do
  t_ts=$(min "$t_ts" "$(timed "${ts_cmd[@]}")")
  if (( have_torch )); then t_pt=$(min "$t_pt" "$(timed "${pt_cmd[@]}")"); fi
done
echo "tessera:  ${t_ts} s"
if (( have_torch )); then
  echo "LibTorch: ${t_pt} s"
  echo "ratio:    $(echo "scale=3; $t_ts / $t_pt" | bc)"
fi
