"""Scalar benchmark, all measured in one run on this machine (numbers are ratios, not promises):

1. root_sum(10**7): pyaot against CPython running the same file.
2. Call overhead of a float -> float function: pyaot, plain Python, and Numba / Cython when
   they are importable here (pip install numba cython into the venv to include them).
3. Wall time of `pyaot build` on examples/numeric.py (about 100 lines).

Run: .venv/bin/python examples/bench_scalar.py
"""
import statistics
import subprocess
import tempfile
import time
import timeit
from pathlib import Path

from _build import build, load, pyaot

HERE = Path(__file__).resolve().parent


def per_call_ns(fn, arg=1.0, number=2_000_000, repeat=5):
    times = timeit.repeat(lambda: None, number=1)  # warm up timeit itself
    del times
    stmt = "f(x)"
    best = min(timeit.repeat(stmt, globals={"f": fn, "x": arg}, number=number, repeat=repeat))
    return best / number * 1e9


def peers():
    found = {}
    try:
        import numba
        halve = numba.njit("float64(float64)")(lambda x: x * 0.5)
        halve(1.0)
        found["numba njit"] = halve
    except Exception as e:  # not installed, or failed: say so and go on
        print(f"(numba not measured: {type(e).__name__}: {e})")
    try:
        import pyximport  # noqa: F401  (Cython)
        import Cython  # noqa: F401
        found.update(cython_halve())
    except Exception as e:
        print(f"(cython not measured: {type(e).__name__}: {e})")
    return found


def cython_halve():
    from Cython.Build import cythonize  # noqa: F401
    import importlib
    import sys
    tmp = Path(tempfile.mkdtemp())
    (tmp / "cyhalve.pyx").write_text("cpdef double halve(double x):\n    return x * 0.5\n")
    subprocess.run([sys.executable, "-m", "cython", "-3", str(tmp / "cyhalve.pyx")], check=True, capture_output=True)
    import sysconfig
    inc = sysconfig.get_paths()["include"]
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    subprocess.run(["cc", "-O3", "-shared", "-fPIC", f"-I{inc}", str(tmp / "cyhalve.c"), "-o", str(tmp / f"cyhalve{suffix}")],
                   check=True, capture_output=True)
    sys.path.insert(0, str(tmp))
    return {"cython cpdef": importlib.import_module("cyhalve").halve}


def main():
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        compiled = load("fast", build(HERE / "fast.py", tmp))
        plain = load("fast_cpython", HERE / "fast.py")

        print("== root_sum(10**7) ==")
        n = 10**7
        start = time.perf_counter()
        expected = plain.root_sum(n)
        t_py = time.perf_counter() - start
        t_aot = min(timeit.repeat(lambda: compiled.root_sum(n), number=1, repeat=5))
        assert compiled.root_sum(n) == expected
        print(f"CPython {t_py * 1e3:9.1f} ms")
        print(f"pyaot   {t_aot * 1e3:9.1f} ms   speed-up {t_py / t_aot:6.1f}x   (target >= 50x)")

        print("\n== call overhead, float -> float (ns per call, best of 5, includes timeit's loop) ==")
        rows = {"pyaot": compiled.halve, "plain Python": plain.halve, "builtin abs (C baseline)": abs}
        rows.update(peers())
        for name, fn in rows.items():
            print(f"{name:26s} {per_call_ns(fn):7.1f} ns")
        loop = min(timeit.repeat("pass", number=2_000_000, repeat=5)) / 2_000_000 * 1e9
        print(f"{'(empty timeit loop)':26s} {loop:7.1f} ns   (target for pyaot: <= 40 ns per call)")

        print("\n== pyaot build of examples/numeric.py (%d lines) ==" % len((HERE / "numeric.py").read_text().splitlines()))
        times = []
        for _ in range(7):
            start = time.perf_counter()
            subprocess.run([str(pyaot()), "build", str(HERE / "numeric.py"), "-o", str(tmp / "numeric.abi3.so")], check=True)
            times.append(time.perf_counter() - start)
        print(f"best {min(times) * 1e3:.0f} ms, median {statistics.median(times) * 1e3:.0f} ms   (target <= 300 ms)")


if __name__ == "__main__":
    main()
