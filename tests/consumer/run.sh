#!/usr/bin/env bash
# Proves tessera can be consumed from outside: (a) FetchContent from this checkout's git
# repository, building nothing of tessera's own but its library (no tests, benchmarks or
# examples); (b) cmake --build and --install into a temporary prefix and
# find_package(tessera CONFIG REQUIRED). Both consumers must get compiled mode (main.cpp checks).
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rev=$(git -C "$src" rev-parse HEAD)

# The two consumers build side by side (each is one translation unit: one core each).
fetch_content() {
  echo "== FetchContent of $rev"
  cmake -S "$src/tests/consumer" -B "$work/fetch" -DCMAKE_BUILD_TYPE=Release -DTESSERA_USE=fetch \
    -DTESSERA_GIT="$src" -DTESSERA_REV="$rev" > "$work/fetch.log"
  cmake --build "$work/fetch" -j2 > /dev/null
  "$work/fetch/consumer"
  if [ -e "$work/fetch/_deps/tessera-build/tests" ] || [ -e "$work/fetch/_deps/tessera-build/examples" ] ||
     [ -e "$work/fetch/_deps/tessera-build/bench" ]; then
    echo "FetchContent built tessera's own tests, examples or benchmarks" >&2
    exit 1
  fi
}
find_package_consumer() {
  echo "== cmake --install and find_package"
  cmake -S "$src" -B "$work/lib" -DCMAKE_BUILD_TYPE=Release -DTESSERA_BUILD_TESTS=OFF -DTESSERA_BUILD_EXAMPLES=OFF \
    -DTESSERA_BUILD_BENCHMARKS=OFF > /dev/null
  cmake --build "$work/lib" -j2 > /dev/null  # the compiled library (Note [Compiled mode])
  cmake --install "$work/lib" --prefix "$work/prefix" > /dev/null
  cmake -S "$src/tests/consumer" -B "$work/find" -DCMAKE_BUILD_TYPE=Release -DTESSERA_USE=find \
    -DCMAKE_PREFIX_PATH="$work/prefix" > /dev/null
  cmake --build "$work/find" -j2 > /dev/null
  "$work/find/consumer"
}
fetch_content > "$work/fetch_content.log" 2>&1 &
fetch_job=$!
find_package_consumer > "$work/find_package.log" 2>&1 &
find_job=$!
status=0  # a failing step ends its job (set -e holds in each)
wait "$fetch_job" || status=1
wait "$find_job" || status=1
cat "$work/fetch_content.log" "$work/find_package.log"
exit $status
