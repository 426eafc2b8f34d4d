"""Helpers for the example scripts: find or build the pyaot binary, compile a file, import both versions."""
import importlib.util
import math
import time
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pyaot() -> Path:
    path = Path(os.environ.get("PYAOT", ROOT / "target" / "release" / "pyaot"))
    if not path.exists():
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    return path


def build(src: Path, out_dir: Path, *flags: str) -> Path:
    out = out_dir / f"{src.stem}.abi3.so"
    subprocess.run([str(pyaot()), "build", str(src), "-o", str(out), *flags], check=True)
    return out


def load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def best_times(engines, args, rounds=7, batch_seconds=0.02, budget_seconds=0.0):
    """Best time per call of each engine. Engines take turns within each round (starting with
    a different one each round), so the load of this shared machine falls on all of them alike;
    a batch repeats the call until it lasts about batch_seconds (each call on fresh copies of
    array arguments, made outside the clock). At least `rounds` rounds, more until about
    budget_seconds of calls were timed: the best of many rounds is what a quiet moment of the
    machine gives, and a kernel of 20 ms gets as many quiet moments as one of 20 us. Engines
    more than 20x slower than the fastest (Cython on untyped code) take their turns apart, in
    `rounds` rounds: otherwise their one long call per round would eat the budget of the rest."""
    fresh = lambda: tuple(a.copy() if hasattr(a, "copy") and not isinstance(a, (int, float)) else a for a in args)  # noqa: E731
    batch, once = {}, {}
    for name, fn in engines.items():
        fn(*fresh())
        start = time.perf_counter()
        fn(*fresh())
        once[name] = max(time.perf_counter() - start, 1e-6)
        batch[name] = max(1, min(200, int(batch_seconds / once[name])))
    fastest = min(once.values())
    slow = {name: fn for name, fn in engines.items() if once[name] > 20 * fastest}
    fast = {name: fn for name, fn in engines.items() if name not in slow}
    best = {name: math.inf for name in engines}

    def take_turns(group, n):
        order = list(group.items())
        for r in range(n):
            # Each round starts with another engine: the first engine of a round found the heap as
            # the previous round left it (trimmed) and ran up to 2x slower on kernels that allocate.
            for name, fn in order[r % len(order):] + order[:r % len(order)]:
                inputs = [fresh() for _ in range(batch[name])]
                start = time.perf_counter()
                for call_args in inputs:
                    fn(*call_args)
                best[name] = min(best[name], (time.perf_counter() - start) / batch[name])

    for group, budget in ((fast, budget_seconds), (slow, 0.0)):
        if group:
            round_seconds = sum(batch[name] * once[name] for name in group)
            take_turns(group, max(rounds, min(400, int(budget / round_seconds))))
    return best
