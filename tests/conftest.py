"""Shared helpers for the Python-side tests: find the pyaot binary and build modules with it."""
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# `from pyaot import prange` in test cases: under CPython, prange is range.
if "pyaot" not in sys.modules:
    import types
    shim = types.ModuleType("pyaot")
    shim.prange = range
    sys.modules["pyaot"] = shim


def pyaot_binary() -> Path:
    """The compiler under test: $PYAOT, else the release build in target/."""
    env = os.environ.get("PYAOT")
    path = Path(env) if env else ROOT / "target" / "release" / "pyaot"
    if not path.exists():
        pytest.exit(f"pyaot binary not found at {path}: run `cargo build --release` first", returncode=2)
    return path


def build(src: Path, out_dir: Path, *extra: str) -> Path:
    """Compiles src into out_dir and returns the module path; fails the test with pyaot's output."""
    out = out_dir / f"{src.stem}.abi3.so"
    proc = subprocess.run([str(pyaot_binary()), "build", str(src), "-o", str(out), *extra],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.fail(f"pyaot build {src.name} failed:\n{proc.stderr}", pytrace=False)
    return out


def load_module(name: str, path: Path):
    """Imports a module from a file path under a chosen name (compiled or plain Python)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
