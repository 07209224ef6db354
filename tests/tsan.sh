#!/usr/bin/env bash
# Builds tests/test_autograd_threads.cpp with ThreadSanitizer and runs it; exits non-zero when a
# test fails or TSan reports anything (halt_on_error), so CI can call it as it is.
#
#   tests/tsan.sh [build-dir]     (default: build-tsan beside the sources, or $TSAN_BUILD_DIR)
#
# Any further Catch2 arguments may be passed through $TSAN_TEST_ARGS.

set -euo pipefail

source_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${1:-${TSAN_BUILD_DIR:-${source_dir}/build-tsan}}"

launcher=()
if command -v ccache >/dev/null 2>&1; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi

cmake -S "${source_dir}" -B "${build_dir}" \
  -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS="-fsanitize=thread -fno-omit-frame-pointer" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" \
  -DTESSERA_BUILD_TESTS=ON -DTESSERA_BUILD_EXAMPLES=OFF -DTESSERA_BUILD_BENCHMARKS=OFF -DTESSERA_HEADER_ONLY=ON \
  -DTESSERA_WERROR=ON "${launcher[@]}"
cmake --build "${build_dir}" --target test_autograd_threads -j "${TSAN_JOBS:-1}"

export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ${TSAN_OPTIONS:-}"
test_program="${build_dir}/tests/test_autograd_threads"
# TSan's shadow memory needs the address layout of a kernel without high mmap randomisation;
# where the kernel has it (Linux 6.x, vm.mmap_rnd_bits > 28), run without randomisation.
if [[ "$(uname -s)" == Linux ]] && command -v setarch >/dev/null 2>&1 &&
   [[ "$(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || echo 0)" -gt 28 ]]; then
  exec setarch "$(uname -m)" -R "${test_program}" ${TSAN_TEST_ARGS:-}
fi
exec "${test_program}" ${TSAN_TEST_ARGS:-}
