#!/usr/bin/env bash
# Sets up (scripts/setup.sh), then runs every test: the Rust unit, snapshot and no-panic tests,
# and the Python differential, ABI and CLI tests against the release build, then the wheel.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# Formatting is part of the build: rustfmt.toml's style, checked before anything runs.
cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt
cargo fmt --all --check
# CI=true: insta fails on a changed snapshot instead of writing a new one.
CI=true cargo test --release --workspace --quiet
.venv/bin/python -m pytest tests -q "$@"
# Again with every C-API call checking that its thread holds the GIL (PYAOT_DEBUG_GIL=1 makes
# the compiler emit the check): a call made after the GIL was released stops the process.
PYAOT_DEBUG_GIL=1 .venv/bin/python -m pytest -q -p no:cacheprovider "$@" \
  tests/test_differential.py tests/test_parallel.py tests/test_objects.py tests/test_arrays_abi.py \
  tests/test_abi.py tests/test_fuzz.py tests/test_kernels.py
# The wheel as a user installs it: built with maturin (LLVM static), pip-installed into a fresh
# venv, an example and examples/package built and imported with it (scripts/wheel.sh).
scripts/wheel.sh
