"""Measures dask's threaded scheduler on a compiled kernel: time with 1 and with all cores,
side by side in one process. Run from the repository root after `pyaot build`:

    target/release/pyaot build examples/dask/kernels.py
    .venv/bin/python examples/dask/scaling.py
"""
import os
import sys
import time

import dask
import dask.array as da
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kernels  # noqa: E402  (the compiled module next to this file)

N, CHUNK, ITERATIONS = 1_000_000, 62_500, 40


def run(workers):
    x = da.from_array(np.linspace(0.0, 1.0, N), chunks=CHUNK)
    y = x.map_blocks(kernels.settle, ITERATIONS, dtype=np.float64)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        with dask.config.set(scheduler="threads", num_workers=workers):
            result = y.compute()
        best = min(best, time.perf_counter() - start)
    return best, result


def main():
    cores = os.cpu_count() or 1
    t1, r1 = run(1)
    tn, rn = run(cores)
    assert np.array_equal(r1, rn)
    print(f"{N} elements in {N // CHUNK} blocks, compiled kernel:")
    print(f"  1 thread:  {t1 * 1e3:7.1f} ms")
    print(f"  {cores} threads: {tn * 1e3:7.1f} ms  (speed-up {t1 / tn:.2f}x on {cores} cores)")


if __name__ == "__main__":
    main()
