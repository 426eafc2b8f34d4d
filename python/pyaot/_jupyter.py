"""`%%pyaot` for IPython and Jupyter: compiles the cell, imports it, and puts its functions in
the notebook's namespace. The module is named by a hash of the cell, its options and the
compiler, so running an edited cell compiles and loads the new code (no stale module).

    %load_ext pyaot
    %%pyaot [--annotate] [--native] [--no-boundscheck] [--no-wraparound] [--target-cpu CPU]
"""

import argparse
import html
import shlex
import sys

from ._build import BuildError, annotate, build, import_extension, source_hash
from ._hook import cache_dir


def _parser():
    p = argparse.ArgumentParser(prog="%%pyaot", add_help=False)
    p.add_argument("--annotate", action="store_true")
    p.add_argument("--native", action="store_true")
    p.add_argument("--no-boundscheck", dest="boundscheck", action="store_false")
    p.add_argument("--no-wraparound", dest="wraparound", action="store_false")
    p.add_argument("--target-cpu")
    return p


def compile_cell(line: str, cell: str, namespace: dict):
    """Compiles `cell`, binds its public names in `namespace`; returns the module and, with
    `--annotate`, the report's HTML."""
    args = _parser().parse_args(shlex.split(line))
    options = {
        "native": args.native,
        "boundscheck": args.boundscheck,
        "wraparound": args.wraparound,
        "target_cpu": args.target_cpu,
    }
    name = "_pyaot_cell_" + source_hash(cell.encode(), sorted(options.items()))
    folder = cache_dir() / "cells"
    folder.mkdir(parents=True, exist_ok=True)
    src = folder / f"{name}.py"
    so = folder / f"{name}.abi3.so"
    if not so.exists():
        src.write_text(cell)
        build(src, so, **options)
    module = sys.modules.get(name) or import_extension(name, so)
    for key, value in vars(module).items():
        if not key.startswith("_"):
            namespace[key] = value
    report = None
    if args.annotate:
        if not src.exists():
            src.write_text(cell)
        report = annotate(src, folder / f"{name}.html").read_text()
    return module, report


def register(ipython):
    def pyaot(line, cell):
        try:
            _, report = compile_cell(line, cell, ipython.user_ns)
        except BuildError as e:
            print(e, file=sys.stderr)
            return None
        if report is not None:
            from IPython.display import HTML

            frame = (
                f'<iframe srcdoc="{html.escape(report, quote=True)}" '
                'style="width:100%;height:600px;border:1px solid #ddd"></iframe>'
            )
            return HTML(frame)
        return None

    ipython.register_magic_function(pyaot, magic_kind="cell", magic_name="pyaot")
