#!/usr/bin/env bash
# Sets up (scripts/setup.sh), then runs every test: the Rust unit, snapshot and no-panic tests,
# and the Python differential, ABI and CLI tests against the release build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# CI=true: insta fails on a changed snapshot instead of writing a new one.
CI=true cargo test --release --workspace --quiet
.venv/bin/python -m pytest tests -q "$@"
