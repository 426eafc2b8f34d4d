"""Loops with checks (division, sqrt, bounds) against the peers: examples/checked/checked_loops.py
built with pyaot (checks on, Python's exceptions), Numba (njit; it keeps its ZeroDivisionError
check on floats) and Pythran (-O3 -march=native; no checks), checked against each other, timed
in one run (engines take turns; best of 15 batches).

Run: .bench-venv/bin/python examples/bench_checked.py   (the venv from examples/bench.py)
Prints a Markdown table; docs/performance.md holds the latest one.
"""
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from _build import best_times, build, load

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
HERE = Path(__file__).resolve().parent
SRC = HERE / "checked" / "checked_loops.py"
N = 100_000
rng = np.random.default_rng(5)
a, b = rng.random(N) + 0.1, rng.random(N) + 0.1
CASES = {
    "ratio_sum": (a, b),
    "divide_into": (np.zeros(N), a, b),
    "half_roots": (np.zeros(N), a),
    "clipped_inverse": (np.zeros(N), a),
    "accumulate_ratio": (np.zeros(N), a, b),
}


def pythran_module(out_dir: Path):
    out = out_dir / "checked_loops_pythran.so"
    proc = subprocess.run([str(Path(sys.executable).parent / "pythran"), "-O3", "-march=native", str(SRC), "-o", str(out)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        print(f"(pythran failed: {proc.stderr.strip().splitlines()[-1:]})")
        return None
    # Pythran names the module after the output file up to its first dot.
    return load("checked_loops_pythran", out)


def main():
    tmp = Path(tempfile.mkdtemp(prefix="pyaot-checked-"))
    modules = {"pyaot": load("checked_loops", build(SRC, tmp))}
    plain = load("checked_loops_plain", SRC)
    try:
        import numba
        modules["Numba"] = type("numba_mod", (), {name: staticmethod(numba.njit(getattr(plain, name))) for name in CASES})
    except ImportError:
        pass
    pythran = pythran_module(tmp)
    if pythran:
        modules["Pythran"] = pythran
    engines = list(modules)
    print(f"| loop ({N:,} elements) | " + " | ".join(f"{e} (µs)" for e in engines) + " | pyaot ÷ best peer |")
    print("|---|" + "---|" * (len(engines) + 1))
    for name, args in CASES.items():
        fns = {e: getattr(m, name) for e, m in modules.items()}
        results = {}
        for e, fn in fns.items():
            call_args = tuple(x.copy() for x in args)
            r = fn(*call_args)
            results[e] = r if r is not None else call_args[0]
        for e, r in results.items():
            if not np.allclose(r, results["pyaot"], rtol=1e-12):
                print(f"  !! {e} disagrees with pyaot on {name}")
        times = best_times(fns, args, rounds=15)
        peers = [t for e, t in times.items() if e != "pyaot"]
        ratio = f"{times['pyaot'] / min(peers):.2f}" if peers else "—"
        print(f"| {name} | " + " | ".join(f"{times[e] * 1e6:.1f}" for e in engines) + f" | {ratio} |")


if __name__ == "__main__":
    main()
