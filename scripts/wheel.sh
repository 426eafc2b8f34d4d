#!/usr/bin/env bash
# Builds the pyaot wheel with maturin (the compiler with LLVM linked statically, and the `pyaot`
# Python package), then checks it as a user would: a fresh venv, `pip install` of the wheel, a
# compiler that needs no libLLVM, and an example built and imported both with the `pyaot`
# command and with `pyaot.build` — with nothing of this checkout on PATH or PYTHONPATH.
# Run by scripts/test.sh after scripts/setup.sh; prints the wheel's size.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
.venv/bin/python -c "import maturin" 2>/dev/null \
  || .venv/bin/pip install -q --disable-pip-version-check "maturin>=1.5,<2"

export CARGO_TARGET_DIR="$root/target/wheel"
rm -rf target/wheel/dist
.venv/bin/maturin build --quiet --release --compatibility linux --out target/wheel/dist 2>&1 \
  | grep -v "^\s*Compiling" || true
wheel=$(ls target/wheel/dist/pyaot-*.whl)
echo "wheel: $(basename "$wheel"), $(du -h "$wheel" | cut -f1)"

user=$(mktemp -d)
trap 'rm -rf "$user"' EXIT
python3 -m venv "$user/venv"
"$user/venv/bin/pip" install -q --disable-pip-version-check "$wheel" numpy
if ldd "$user/venv/bin/pyaot" | grep -q libLLVM; then
  echo "wheel: the installed compiler links libLLVM dynamically" >&2
  exit 1
fi
cp examples/fast.py "$user/"
cd "$user"
clean_env=(env -i "PATH=/usr/local/bin:/usr/bin:/bin" "HOME=$user")
"${clean_env[@]}" venv/bin/pyaot build fast.py
"${clean_env[@]}" venv/bin/python -c "import fast; assert fast.root_sum(10) == sum(i ** 0.5 for i in range(10)); print('wheel: pyaot build + import ok')"
rm fast.abi3.so
"${clean_env[@]}" venv/bin/python -c "
import pyaot, importlib
print('wheel: compiler', pyaot.compiler())
assert 'venv' in str(pyaot.compiler())
pyaot.build('fast.py')
import fast
assert fast.root_sum(10) == sum(i ** 0.5 for i in range(10))
print('wheel: pyaot.build + import ok')
"
# A package of the user's with pyaot modules, installed as pip installs any package: in an
# isolated build environment that fetches setuptools and pyaot (this wheel) for the build.
# (A copy: pip builds in the source tree.)
cp -r "$root/examples/package" "$user/package"
"${clean_env[@]}" venv/bin/pip install -q --disable-pip-version-check \
  --find-links "$root/target/wheel/dist" "$user/package"
"${clean_env[@]}" venv/bin/python -c "
import numpy as np, stencils
from stencils import _kernels
assert _kernels.__file__.endswith('.abi3.so'), _kernels.__file__
assert stencils.smooth(np.array([0.0, 6.0, 0.0, 3.0]), 1).tolist() == [0.0, 2.0, 3.0, 3.0]
print('wheel: pip install examples/package (setuptools + pyaot) + import ok')
"
