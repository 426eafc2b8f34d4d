#!/usr/bin/env bash
# Guards refactors that must not change generated code: writes `--emit llvm-ir -O0` of every
# tests/cases, tests/pythran and examples/kernels file into a folder, or compares against one written before.
#   scripts/ir_guard.sh save DIR      (before the change)
#   scripts/ir_guard.sh compare DIR   (after: lists every file whose IR changed; non-zero if any)
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:?usage: ir_guard.sh save|compare DIR}
dir=${2:?usage: ir_guard.sh save|compare DIR}
pyaot=${PYAOT:-target/release/pyaot}
out=$dir
if [ "$mode" = compare ]; then out=$(mktemp -d); fi
mkdir -p "$out"
for src in tests/cases/*.py tests/pythran/*.py examples/kernels/*.py; do
  name=$(basename "$(dirname "$src")")_$(basename "$src" .py)
  "$pyaot" build "$src" -O0 --target-cpu generic --emit llvm-ir -o "$out/$name.ll" 2>"$out/stderr" \
    || { cat "$out/stderr"; exit 1; }
done
if [ "$mode" = compare ]; then
  changed=0
  for f in "$dir"/*.ll; do
    if ! cmp -s "$f" "$out/$(basename "$f")"; then echo "changed: $(basename "$f")"; changed=1; fi
  done
  n=$(ls "$dir"/*.ll | wc -l)
  [ "$(ls "$out"/*.ll | wc -l)" = "$n" ] || { echo "file count differs"; changed=1; }
  rm -rf "$out"
  [ $changed = 0 ] && echo "ir_guard: all $n files byte-identical"
  exit $changed
fi
