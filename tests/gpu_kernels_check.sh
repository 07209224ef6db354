#!/usr/bin/env bash
# Checks that the committed GPU kernels (include/tessera/backend/gpu/kernels.hpp and generated/)
# are what tools/gen_gpu_kernels.py makes from the GLSL sources with the installed tools: every
# variant recompiled, validated with spirv-val, translated to MSL, and compared byte for byte.
# Then compiles each generated header alone. Exits non-zero, with a diff, when they differ.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
python3 tools/gen_gpu_kernels.py --check
cxx=${CXX:-g++}
for header in include/tessera/backend/gpu/kernels.hpp include/tessera/backend/gpu/generated/*.hpp; do
  "$cxx" -std=c++20 -fsyntax-only -Wall -Wextra -x c++ - <<<"#include \"$here/$header\"" || {
    echo "$header does not compile alone"
    exit 1
  }
done
echo "gpu kernels: generated headers compile alone"
