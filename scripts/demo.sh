#!/usr/bin/env bash
# Sets up (scripts/setup.sh), then runs the main job: compile examples/fast.py, import it, and
# print its speed-up over CPython running the same file.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cd examples
../.venv/bin/python demo.py
