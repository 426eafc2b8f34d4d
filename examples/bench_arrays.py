"""Array benchmark: six kernels from examples/kernels/ built with pyaot (bounds checks on, and
off), Numba (njit) and Pythran (-O3 -march=native) when they are installed, all timed in this one
run (engines take turns; best of 7 batches after a warm-up) and checked against each other; plus the cost of a call with a
1-D array argument and the speed-up of two Python threads calling one kernel.

Run: .bench-venv/bin/python examples/bench_arrays.py   (the venv needs numpy, numba, pythran)
Prints a Markdown table; docs/performance.md holds the latest one.
"""
import importlib.util
import math
import os
import subprocess
import sys
import tempfile
import threading
import time
import timeit
from pathlib import Path

import numpy as np

from _build import best_times, build, load

HERE = Path(__file__).resolve().parent
KERNELS = HERE / "kernels"
rng = np.random.default_rng(42)

CASES = {
    "pairwise": lambda: (rng.random((400, 3)),),
    "stencil": lambda: (rng.random((1000, 1000)),),
    "matmul": lambda: (rng.random((200, 200)), rng.random((200, 200))),
    "mandelbrot": lambda: (400, 300, 200),
    "bubble": lambda: (rng.random(2000),),
    "histogram": lambda: (rng.random(2_000_000), 100),
}


def result_of(fn, args):
    call_args = tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)
    r = fn(*call_args)
    return r if r is not None else call_args[0]


def pythran_build(src: Path, out_dir: Path, function: str = ""):
    try:
        import pythran  # noqa: F401
    except ImportError:
        return None
    out = out_dir / f"{src.stem}_pythran.so"
    proc = subprocess.run([sys.executable, "-m", "pythran.run", "-O3", "-march=native", str(src), "-o", str(out)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        proc = subprocess.run(["pythran", "-O3", "-march=native", str(src), "-o", str(out)], capture_output=True, text=True)
    if proc.returncode != 0:
        print(f"(pythran failed on {src.name}: {proc.stderr.strip().splitlines()[-1:]})")
        return None
    spec = importlib.util.spec_from_file_location(out.stem, out)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, function or src.stem)


def numba_build(plain_fn):
    try:
        import numba
    except ImportError:
        return None
    return numba.njit(cache=False)(plain_fn)


def main():
    tmp = Path(tempfile.mkdtemp(prefix="pyaot-bench-"))
    rows = []
    ratios = []
    compiled = {}
    for name, make_args in CASES.items():
        src = KERNELS / f"{name}.py"
        (tmp / "on").mkdir(exist_ok=True)
        (tmp / "off").mkdir(exist_ok=True)
        # Compiled modules load under their own name (it is their PyInit_ symbol).
        on = getattr(load(name, build(src, tmp / "on")), name)
        off = getattr(load(name, build(src, tmp / "off", "--no-boundscheck", "--no-wraparound")), name)
        compiled[name] = on
        plain = getattr(load(f"{name}_py", src), name)
        args = make_args()
        engines = {"pyaot": on, "pyaot (no checks)": off}
        nb = numba_build(plain)
        if nb is not None:
            engines["numba"] = nb
        pt = pythran_build(src, tmp)
        if pt is not None:
            engines["pythran"] = pt
        reference = result_of(on, args)
        for engine, fn in engines.items():
            got = result_of(fn, args)
            if not np.allclose(got, reference):
                print(f"!! {engine} disagrees with pyaot on {name}")
        times = best_times(engines, args)
        peers = [t for e, t in times.items() if not e.startswith("pyaot")]
        ratio = times["pyaot"] / min(peers) if peers else float("nan")
        if peers:
            ratios.append(ratio)
        rows.append((name, times, ratio))

    engines = ["pyaot", "pyaot (no checks)", "numba", "pythran"]
    print("\n| kernel | " + " | ".join(f"{e} (ms)" for e in engines) + " | pyaot ÷ best peer |")
    print("|---|" + "---|" * (len(engines) + 1))
    for name, times, ratio in rows:
        cells = [f"{times[e] * 1e3:.2f}" if e in times else "—" for e in engines]
        print(f"| {name} | " + " | ".join(cells) + f" | {ratio:.2f} |")
    if ratios:
        geo = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
        print(f"\ngeometric mean pyaot ÷ best peer (checks on): {geo:.2f}")

    # Call overhead with one 1-D array argument.
    src = tmp / "calls.py"
    src.write_text("#pythran export first(float64[:])\ndef first(a):\n    return a[0]\n")
    first = load("calls", build(src, tmp)).first
    a = np.zeros(10)
    overhead = {"pyaot": first}
    plain_first = load("calls_py", src).first
    nb = numba_build(plain_first)
    if nb is not None:
        overhead["numba"] = nb
    pt = pythran_build(src, tmp, "first")
    if pt is not None:
        overhead["pythran"] = pt
    print("\n| call with a 1-D array | ns per call |\n|---|---|")
    overhead["(baseline: builtin len(a))"] = len
    for engine, fn in overhead.items():
        fn(a)
        ns = min(timeit.repeat(lambda: fn(a), number=200_000, repeat=5)) / 200_000 * 1e9
        print(f"| {engine} | {ns:.0f} |")

    # Two Python threads calling one kernel (it runs without the GIL).
    spin_src = tmp / "spin.py"
    spin_src.write_text("#export spin(int)\ndef spin(n):\n    s = 0\n    for i in range(n):\n        s = (s * 31 + i) % 1000003\n    return s\n")
    spin = load("spin", build(spin_src, tmp)).spin
    mandel = compiled["mandelbrot"]
    for label, work in [("spin (scalar loop)", lambda: spin(30_000_000)), ("mandelbrot (creates its array)", lambda: mandel(400, 300, 400))]:
        work()
        best = 0.0
        for _ in range(3):
            start = time.perf_counter()
            work()
            work()
            serial = time.perf_counter() - start
            threads = [threading.Thread(target=work) for _ in range(2)]
            start = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            best = max(best, serial / (time.perf_counter() - start))
        print(f"two threads calling {label}: {best:.2f}x the throughput of one (cores here: {os.cpu_count()})")


if __name__ == "__main__":
    main()
