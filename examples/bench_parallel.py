"""Parallel loops: the speed-up of 2 threads over 1 on three compute-bound kernels, and the cost
of an empty parallel region, next to Numba's prange and Pythran's OpenMP on the same loops.

Run: .bench-venv/bin/python examples/bench_parallel.py   (created by examples/bench.py)
"""
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _build import build, load  # noqa: E402

KERNELS = textwrap.dedent('''
    import math

    #pythran export gauss(int)
    def gauss(n):
        s = 0.0
        #omp parallel for reduction(+:s)
        for i in range(n):
            x = i * 1e-6
            s += math.exp(-x * x) * math.cos(x)
        return s

    #pythran export collatz(int)
    def collatz(n):
        total = 0
        #omp parallel for reduction(+:total) schedule(dynamic, 256)
        for i in range(1, n):
            m = i
            steps = 0
            while m != 1:
                m = m // 2 if m % 2 == 0 else 3 * m + 1
                steps += 1
            total += steps
        return total

    #pythran export mandel_count(int, int)
    def mandel_count(size, limit):
        inside = 0
        #omp parallel for reduction(+:inside) schedule(dynamic, 4)
        for y in range(size):
            for x in range(size):
                cr = -2.0 + 2.5 * x / size
                ci = -1.25 + 2.5 * y / size
                zr = 0.0
                zi = 0.0
                k = 0
                while k < limit and zr * zr + zi * zi <= 4.0:
                    zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
                    k += 1
                if k == limit:
                    inside += 1
        return inside

    #pythran export empty(int)
    def empty(n):
        s = 0
        #omp parallel for reduction(+:s)
        for i in range(n):
            s += 1
        return s
''')

CASES = {"gauss": (20_000_000,), "collatz": (300_000,), "mandel_count": (600, 200)}


def timed(fn, *args, repeat=5):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn(*args)
        best = min(best, time.perf_counter() - start)
    return best


def with_threads(n, code):
    env = dict(os.environ, PYAOT_NUM_THREADS=str(n), OMP_NUM_THREADS=str(n), NUMBA_NUM_THREADS=str(n))
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout


def main():
    tmp = Path(tempfile.mkdtemp(prefix="pyaot-par-"))
    src = tmp / "parkernels.py"
    src.write_text(KERNELS)
    build(src, tmp)
    pythran = None
    try:
        import pythran  # noqa: F401
        out = tmp / "parkernels_pythran.so"
        subprocess.run([str(Path(sys.executable).parent / "pythran"), "-O3", "-march=native", "-fopenmp", str(src), "-o", str(out)], check=True, capture_output=True)
        pythran = out
    except Exception as e:
        print(f"(pythran not measured: {e})")
    numba_src = tmp / "parkernels_numba.py"
    numba_src.write_text("from numba import njit, prange\n" + KERNELS.replace("for i in range(", "for i in prange(").replace("for y in range(", "for y in prange(")
                         .replace("\ndef ", "\n@njit(parallel=True)\ndef "))
    print(f"| kernel | engine | 1 thread (ms) | 2 threads (ms) | speed-up |\n|---|---|---|---|---|")
    engines = {"pyaot": f"import sys; sys.path.insert(0, {str(tmp)!r}); import parkernels as m"}
    if pythran:
        engines["Pythran (OpenMP)"] = f"import importlib.util as u; s = u.spec_from_file_location('parkernels_pythran', {str(pythran)!r}); m = u.module_from_spec(s); s.loader.exec_module(m)"
    try:
        import numba  # noqa: F401
        engines["Numba (prange)"] = f"import sys; sys.path.insert(0, {str(tmp)!r}); import parkernels_numba as m"
    except ImportError:
        pass
    for name, args in CASES.items():
        for engine, setup in engines.items():
            code = f"{setup}\nimport time\nf = m.{name}\nf{args!r}\nb = float('inf')\nfor _ in range(5):\n    t = time.perf_counter(); f{args!r}; b = min(b, time.perf_counter() - t)\nprint(b)"
            t1 = float(with_threads(1, code))
            t2 = float(with_threads(2, code))
            print(f"| {name} | {engine} | {t1 * 1e3:.1f} | {t2 * 1e3:.1f} | {t1 / t2:.2f}× |")
    print("\n| empty parallel region (µs per call, 2 threads) | |\n|---|---|")
    for engine, setup in engines.items():
        code = f"{setup}\nimport timeit\nm.empty(2)\nprint(min(timeit.repeat(lambda: m.empty(2), number=2000, repeat=7)) / 2000 * 1e6)"
        print(f"| {engine} | {float(with_threads(2, code)):.2f} |")


if __name__ == "__main__":
    main()
