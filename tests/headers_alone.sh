#!/usr/bin/env bash
# Compiles every public header under include/tessera on its own (a translation unit holding
# nothing but that header), so that each one includes what it uses. Prints the headers that
# fail with their first errors, and exits non-zero if there is one.
# CXX picks the compiler (default g++); JOBS runs that many compilers at once (default 1).
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
export cxx=${CXX:-g++}
jobs=${JOBS:-1}
cd "$here"
export logs
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

check() {
  local header=$1 log
  log="$logs/$(echo "$header" | tr / _).log"
  if ! "$cxx" -std=c++20 -fsyntax-only -I include -I /usr/include/eigen3 -x c++ "$header" > "$log" 2>&1; then
    echo "$header"
  fi
}
export -f check

headers=$(find include/tessera -name '*.hpp' | sort)
failed=$(echo "$headers" | xargs -P "$jobs" -I{} bash -c 'check "$1"' _ {} | sort)
count=$(echo "$headers" | wc -l)
if [ -z "$failed" ]; then
  echo "all $count headers compile alone"
  exit 0
fi
for header in $failed; do
  echo "FAIL $header"
  grep -m 3 'error' "$logs/$(echo "$header" | tr / _).log" | sed 's/^/    /'
done
echo "$(echo "$failed" | wc -l) of $count headers do not compile alone"
exit 1
