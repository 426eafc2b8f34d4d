"""Helpers for the example scripts: find or build the pyaot binary, compile a file, import both versions."""
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pyaot() -> Path:
    path = Path(os.environ.get("PYAOT", ROOT / "target" / "release" / "pyaot"))
    if not path.exists():
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    return path


def build(src: Path, out_dir: Path, *flags: str) -> Path:
    out = out_dir / f"{src.stem}.abi3.so"
    subprocess.run([str(pyaot()), "build", str(src), "-o", str(out), *flags], check=True)
    return out


def load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
