#!/usr/bin/env bash
# Sets up a fresh Debian machine for pyaot: LLVM 19 and a C compiler from apt, a Python venv
# (.venv) with numpy, pytest, IPython, setuptools and dask, and a release build of the compiler. Safe to run again:
# each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# chromium: the report test opens the HTML report in a real (headless) browser. libpolly-19-dev:
# the static Polly archives that llvm-config lists for a static LLVM (the wheel, scripts/wheel.sh).
apt_packages=(llvm-19-dev libpolly-19-dev libzstd-dev zlib1g-dev gcc chromium)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  python3 -m venv .venv
fi
if ! .venv/bin/python -c "import numpy, pytest, IPython, setuptools.command.bdist_wheel, dask.array, distributed" 2>/dev/null; then
  echo "setup: installing numpy, pytest, IPython, setuptools and dask into .venv"
  .venv/bin/pip install -q --disable-pip-version-check -r scripts/requirements.txt
fi
# The `pyaot` Python package (python/pyaot: pyaot.build, prange, the import hook, %%pyaot) from
# this checkout, importable in .venv as a pip-installed wheel makes it elsewhere.
site=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')
echo "$PWD/python" > "$site/pyaot-checkout.pth"

# .cargo/config.toml points llvm-sys at /usr/lib/llvm-19.
cargo build --release --quiet
