#!/usr/bin/env bash
# Compiles every translation unit of the Metal backend's host code with clang against Apple's
# metal-cpp headers, warnings as errors, on Linux: nothing is linked or run (docs/metal.md, "What
# is verified where"). It uses the harness in ../shared/metal beside the repository (or the
# folder given), which holds metal-cpp, stand-ins for Apple's system headers and syntax_check.sh.
#
#   tests/metal_check.sh [SHARED_METAL_DIR]
#
# Checked: tests/metal_host_check.cpp as the one unit holding metal-cpp's implementation; then,
# as CMake's TESSERA_METAL compiles them on a Mac (TESSERA_METAL_NO_PRIVATE_IMPLEMENTATION), the
# unit CMake adds to every executable, the Metal tests, the GPU tests built for Metal, the
# Fashion-MNIST example, and each backend/metal header alone; and that the macOS workflow runs
# the commands docs/metal.md gives. CXX picks the compiler (default
# clang++-16, else clang++: the GPU tests need clang 16 or later).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
metal=$(cd "${1:-$here/../shared/metal}" 2>/dev/null && pwd) || metal=${1:-$here/../shared/metal}
if [ ! -f "$metal/syntax_check.sh" ] || [ ! -f "$metal/metal-cpp/Metal/Metal.hpp" ]; then
  echo "metal_check: FAILED: no $metal/syntax_check.sh and $metal/metal-cpp: the Metal host code cannot be checked" >&2
  exit 1
fi
cxx=${CXX:-$(command -v clang++-16 || command -v clang++)}
cd "$here"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for h in include/tessera/backend/metal/*.hpp; do
  echo "#include <tessera/backend/metal/$(basename "$h")>" > "$work/alone_$(basename "$h" .hpp).cpp"
done
eigen="-I/usr/include/eigen3"
# Two checks at a time (one core each), each with its log printed when it ends.
as_cmake() {
  CXX=$cxx WERROR=1 DEFINE_APPLE=1 \
    EXTRA_FLAGS="-DTESSERA_METAL=1 -DTESSERA_METAL_NO_PRIVATE_IMPLEMENTATION=1 -DTESSERA_TEST_METAL=1 $eigen" \
    bash "$metal/syntax_check.sh" "$metal/metal-cpp" include "$@"
}
{
  echo "== metal-cpp's implementation unit: tests/metal_host_check.cpp"
  CXX=$cxx WERROR=1 DEFINE_APPLE=1 EXTRA_FLAGS="-DTESSERA_METAL=1 $eigen" \
    bash "$metal/syntax_check.sh" "$metal/metal-cpp" include tests/metal_host_check.cpp
  echo "== as CMake's TESSERA_METAL builds them: the unit CMake adds, the Metal tests, the example"
  as_cmake cmake/tessera_metal.cpp tests/test_metal.cpp examples/fashion_mnist.cpp
} > "$work/first.log" 2>&1 &
first=$!
{
  echo "== as CMake's TESSERA_METAL builds them: the GPU tests, each backend/metal header alone"
  as_cmake tests/test_vulkan_*.cpp "$work"/alone_*.cpp
} > "$work/second.log" 2>&1 &
second=$!
failed=0  # a failing check ends its job (set -e holds in each)
wait "$first" || failed=1
wait "$second" || failed=1
cat "$work/first.log" "$work/second.log"
[ "$failed" = 0 ]
echo "== .github/workflows/macos-metal.yml runs docs/metal.md's commands, word for word"
python3 - <<'PY'
import re, sys
wf = open(".github/workflows/macos-metal.yml").read()
doc = open("docs/metal.md").read().splitlines()
cmds = [l[10:] for block in re.findall(r"run: \|\n((?:          .*\n)+)", wf) for l in block.splitlines()]
missing = [c for c in cmds if c not in doc]
if not cmds or missing:
    sys.exit("metal_check: FAILED: commands of the workflow missing from docs/metal.md: %s" % (missing or "all"))
print("%d commands, all in docs/metal.md" % len(cmds))
PY
