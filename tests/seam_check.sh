#!/usr/bin/env bash
# Checks the device seam (docs/design.md): outside include/tessera/backend/, no code runs a CPU
# kernel's machinery or indexes tensor memory itself. Every loop over tensor data lives in
# backend/cpu/ and is reached through dispatch_plan. Host reads through data_ptr() are allowed
# where they hand a pointer to a backend function (the host-access point, Note [Host access]),
# and in io/ and data/idx.hpp, which move bytes between files and host tensors.
set -uo pipefail
cd "$(dirname "$0")/../include/tessera"

# The strided loop's own header and the thread pool define the machinery; backend/ uses it.
files=$(find . -name '*.hpp' -not -path './backend/*' -not -path './io/*' -not -path './parallel/*' \
        -not -name 'strided_loop.hpp' -not -name 'idx.hpp' | sort)
pattern='parallel_for\(|cpu_kernel|StridedLoop|vector_run|(data_ptr|kernel_data)\(\)\[|=\s*[a-zA-Z_.()]*(data_ptr|kernel_data)\(\)|: [a-z_.]*to_vector\(\)\)'
found=$(grep -nE "$pattern" $files | grep -vE '^\./[^:]*:[0-9]+:\s*//')
if [ -n "$found" ]; then
  echo "loops over tensor data outside backend/ (move them to backend/cpu/ behind a plan):"
  echo "$found"
  exit 1
fi
echo "seam check: no loop over tensor data outside backend/ ($(echo "$files" | wc -l) headers)"
