"""The cost of int overflow checks: every kernel of examples/bench.py built twice by pyaot,
as is (OverflowError where an int leaves int64, the default) and with --no-overflowcheck
(wrapping int64 arithmetic), timed side by side in this one run (engines take turns, best of
the batches). Prints each kernel's ratio checked / wrapping and their geometric mean.

Run: .venv/bin/python examples/bench_overflow.py
"""
import math
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _build import best_times, build, load  # noqa: E402
from _cases import CASES  # noqa: E402

KERNELS = Path(__file__).resolve().parent / "kernels"


def main():
    ratios = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, make_args in CASES.items():
            src = KERNELS / f"{name}.py"
            checked_dir, wrapping_dir = Path(tmp) / "checked", Path(tmp) / "wrapping"
            checked_dir.mkdir(exist_ok=True)
            wrapping_dir.mkdir(exist_ok=True)
            checked = getattr(load(name, build(src, checked_dir)), name)
            wrapping = getattr(load(name, build(src, wrapping_dir, "--no-overflowcheck")), name)
            times = best_times({"checked": checked, "wrapping": wrapping}, make_args(), budget_seconds=1.0)
            ratios[name] = times["checked"] / times["wrapping"]
            print(f"| {name} | {times['checked'] * 1e3:.3f} ms | {times['wrapping'] * 1e3:.3f} ms | {ratios[name]:.3f} |", flush=True)
    geomean = math.exp(sum(math.log(r) for r in ratios.values()) / len(ratios))
    print(f"\ngeometric mean checked / wrapping: {geomean:.3f}")


if __name__ == "__main__":
    print("| kernel | overflow checks | wrapping | ratio |\n|---|---|---|---|")
    main()
