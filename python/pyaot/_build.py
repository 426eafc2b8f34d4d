"""Runs the pyaot compiler: finds it, builds a file, loads the module it made."""

import hashlib
import importlib.machinery
import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path


class BuildError(Exception):
    """pyaot refused the source (the message holds its diagnostics) or could not link it."""


def compiler() -> Path:
    """The pyaot compiler this package runs: `$PYAOT`, the one installed with this package
    (its wheel puts it in the environment's scripts folder), `pyaot` on PATH, or the release
    build of a source checkout."""
    env = os.environ.get("PYAOT")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent
    candidates = [
        Path(sysconfig.get_path("scripts")) / "pyaot",
        Path(sys.prefix) / "bin" / "pyaot",
    ]
    on_path = shutil.which("pyaot")
    if on_path:
        candidates.append(Path(on_path))
    candidates.append(here.parent.parent / "target" / "release" / "pyaot")
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            return c
    raise BuildError(
        "the pyaot compiler was not found: install pyaot with pip, put `pyaot` on PATH, "
        "or set PYAOT to its path"
    )


def _options(target_cpu, native, boundscheck, wraparound):
    args = []
    if target_cpu:
        args += ["--target-cpu", target_cpu]
    if native:
        args.append("--native")
    if not boundscheck:
        args.append("--no-boundscheck")
    if not wraparound:
        args.append("--no-wraparound")
    return args


def _run(args):
    proc = subprocess.run([str(compiler()), *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise BuildError((proc.stderr or proc.stdout).strip())
    return proc


def build(
    path,
    output=None,
    *,
    target_cpu=None,
    native=False,
    boundscheck=True,
    wraparound=True,
) -> Path:
    """Compiles `path` (a .py file with `#export` comments) and returns the extension module's
    path (`<stem>.abi3.so` next to the source unless `output` says where; the module's name is
    the output's, up to its first dot). Raises BuildError
    with pyaot's diagnostics when the source is refused."""
    src = Path(path)
    out = Path(output) if output else src.with_name(src.stem + ".abi3.so")
    _run(
        [
            "build",
            str(src),
            "-o",
            str(out),
            *_options(target_cpu, native, boundscheck, wraparound),
        ]
    )
    return out


def annotate(path, output=None) -> Path:
    """Writes the HTML report of `path` and returns its path (`<path>.html` by default)."""
    src = Path(path)
    out = Path(output) if output else src.with_suffix(".html")
    _run(["annotate", str(src), "-o", str(out)])
    return out


def source_hash(source: bytes, options=()) -> str:
    """What a build depends on: the source, the options and the compiler's version."""
    h = hashlib.sha256()
    h.update(source)
    h.update(repr(tuple(options)).encode())
    h.update(_compiler_version().encode())
    return h.hexdigest()[:16]


_version = None


def _compiler_version() -> str:
    global _version
    if _version is None:
        try:
            _version = _run(["--version"]).stdout.strip()
        except (BuildError, OSError):
            _version = "unknown"
    return _version


def import_extension(name: str, so: Path):
    """Imports the extension module `so` as `name` (a new module object every time)."""
    loader = importlib.machinery.ExtensionFileLoader(name, str(so))
    spec = importlib.util.spec_from_file_location(name, str(so), loader=loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    sys.modules[name] = module
    return module


def load(path, **options):
    """Builds `path` when its extension module is missing or older than the source, then
    imports and returns the compiled module."""
    src = Path(path)
    so = src.with_name(src.stem + ".abi3.so")
    if not so.exists() or so.stat().st_mtime < src.stat().st_mtime or options:
        build(src, so, **options)
    return import_extension(src.stem, so)
