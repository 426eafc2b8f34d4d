"""The import hook: `pyaot.install()` makes `import x` compile `x.py` (when it has `#export`
comments) into a cache folder, again whenever the source or the compiler changes, and load the
compiled module. An extension module older than the `.py` beside it is not loaded: the hook
warns and compiles the source instead (without the hook, Python would load the stale one)."""

import importlib.abc
import importlib.machinery
import importlib.util
import os
import re
import sys
import warnings
from pathlib import Path

from ._build import BuildError, build, source_hash

_EXPORT = re.compile(rb"^\s*#\s*(pythran\s+)?export\b", re.MULTILINE)


def cache_dir() -> Path:
    """Where compiled modules are kept: `$PYAOT_CACHE`, else `$XDG_CACHE_HOME/pyaot`, else
    `~/.cache/pyaot`."""
    env = os.environ.get("PYAOT_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "pyaot"


class _Finder(importlib.abc.MetaPathFinder):
    def __init__(self, cache: Path, options: dict):
        self.cache = cache
        self.options = options

    def find_spec(self, fullname, path, target=None):
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or not spec.origin or not spec.has_location:
            return None
        origin = Path(spec.origin)
        leaf = fullname.rpartition(".")[2]
        if origin.suffix == ".py":
            src = origin
        elif isinstance(spec.loader, importlib.machinery.ExtensionFileLoader):
            src = origin.with_name(leaf + ".py")
            if not src.exists() or origin.stat().st_mtime >= src.stat().st_mtime:
                return None
            warnings.warn(
                f"{origin.name} is older than {src.name}: pyaot compiles {src.name} again "
                f"(into {self.cache}) instead of loading the stale module",
                stacklevel=2,
            )
        else:
            return None
        source = src.read_bytes()
        if not _EXPORT.search(source) and not src.with_suffix(".pythran").exists():
            return None
        options = sorted(self.options.items())
        folder = self.cache / "modules" / source_hash(source + str(src).encode(), options)
        so = folder / f"{leaf}.abi3.so"
        if not so.exists():
            folder.mkdir(parents=True, exist_ok=True)
            try:
                build(src, so, **self.options)
            except BuildError as e:
                raise ImportError(f"pyaot could not compile {src}:\n{e}", name=fullname) from None
        loader = importlib.machinery.ExtensionFileLoader(fullname, str(so))
        return importlib.util.spec_from_file_location(fullname, str(so), loader=loader)


def install(cache=None, **options):
    """From now on, `import x` of a `.py` file with `#export` comments loads it compiled
    (built into `cache`, by default `cache_dir()`, when missing or out of date). `options` are
    those of `pyaot.build` (`target_cpu=`, `native=`, `boundscheck=`, `wraparound=`).
    Returns the finder (installing twice replaces the first)."""
    uninstall()
    finder = _Finder(Path(cache) if cache else cache_dir(), options)
    sys.meta_path.insert(0, finder)
    return finder


def uninstall():
    """Removes the import hook."""
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _Finder)]
