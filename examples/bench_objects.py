"""The object fallback against Cython, in one command:

    python3 examples/bench_objects.py   (runs inside .bench-venv, created by examples/bench.py's
                                          set-up on first use)

Builds examples/objects_module.py with pyaot and with Cython (the same file, no annotations,
-O3 -march=native), checks both against CPython, and times every function in one run (engines
take turns, best batch of 7), printing times and the ratio pyaot ÷ Cython. Issue 6's targets:
the callback loop (apply_sum) no slower than Cython, the untyped module at least as fast.
"""
import math
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402  (re-runs this script inside .bench-venv)
from _build import best_times, build, load  # noqa: E402

import numpy as np  # noqa: E402

SRC = Path(__file__).resolve().parent / "objects_module.py"
rng = np.random.default_rng(3)
WORDS = [("w%d" % rng.integers(0, 500)) * int(rng.integers(1, 4)) for _ in range(20_000)]
TEXT = " ".join(WORDS)
CASES = {
    "word_counts": (TEXT,),
    "join_upper": (WORDS, ","),
    "group_by_length": (WORDS,),
    "harmonic": (300,),
    "apply_sum": (math.sqrt, rng.random(200_000)),
    "label_all": (list(range(20_000)),),
}


def main():
    tmp = Path(tempfile.mkdtemp(prefix="pyaot-bench-objects-"))
    pyaot_mod = load("objects_module", build(SRC, tmp))
    built = bench.build_cython(SRC, tmp)
    if built is None:
        sys.exit("Cython build failed")
    cython_mod = bench.load_as("objects_module", built[0])
    plain = bench.load_as("objects_module_plain", SRC)
    print(f"{'function':<16} {'CPython':>10} {'Cython':>10} {'pyaot':>10} {'pyaot/Cython':>13}")
    ratios = []
    for name, args in CASES.items():
        expected = getattr(plain, name)(*args)
        for engine, mod in (("Cython", cython_mod), ("pyaot", pyaot_mod)):
            got = getattr(mod, name)(*args)
            assert got == expected, f"{engine} {name} disagrees with CPython"
        t = best_times({"CPython": getattr(plain, name), "Cython": getattr(cython_mod, name), "pyaot": getattr(pyaot_mod, name)}, args)
        ratio = t["pyaot"] / t["Cython"]
        ratios.append(ratio)
        print(f"{name:<16} {t['CPython'] * 1e3:>8.2f}ms {t['Cython'] * 1e3:>8.2f}ms {t['pyaot'] * 1e3:>8.2f}ms {ratio:>12.2f}x")
    geo = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
    print(f"geometric mean pyaot / Cython: {geo:.2f}")


if __name__ == "__main__":
    main()
