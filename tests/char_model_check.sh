#!/usr/bin/env bash
# A few training steps of a character-level example on the committed corpus slice: the
# validation loss must fall, and the run must print the same numbers on 1 and 2 threads.
#   char_model_check.sh <example binary> <corpus folder> <steps>
set -euo pipefail
binary=$1 corpus=$2 steps=$3
run() { "$binary" "$corpus" --steps "$steps" --eval-every 10 --sample 40 --seed 7 --threads "$1" | sed 's/ *(.*ms\/step)//'; }
one=$(run 1)
two=$(run 2)
echo "$one"
if [[ "$one" != "$two" ]]; then
  echo "different results on 1 and 2 threads:"; diff <(echo "$one") <(echo "$two") || true
  exit 1
fi
echo "$one" | awk '/^step/ { v[n++] = $8 } END {
  if (n < 2 || !(v[n - 1] < v[0] - 0.3)) { print "validation loss did not fall enough: " v[0] " -> " v[n - 1]; exit 1 } }'
