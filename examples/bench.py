"""The benchmark against the peers, in one command:

    python3 examples/bench.py          (creates .bench-venv with numpy, numba, pythran, cython,
                                         matplotlib on first use, then runs inside it)

For each kernel in examples/kernels/ (loops) and examples/numpy_kernels/ (whole-array numpy
style; `--set loops` or `--set numpy` runs one set) — plain Python that CPython runs unchanged — it builds the
module with pyaot, Pythran (-O3 -march=native, -fopenmp where the kernel has an `#omp` loop),
Cython (the same .py compiled as is, -O3 -march=native) and Numba (njit), checks every result
and mutated argument against CPython, times all of them in this one run (engines take turns;
the best batch of at least 15 rounds and about 6 s of calls per kernel, after a warm-up) and
prints a table of times and ratios (pyaot ÷ best peer, pyaot ÷ CPython), build times and .so
sizes, plus call-overhead microbenchmarks. It writes the
tables into docs/performance.md (between the `bench:` markers) and a bar chart to
docs/benchmarks.png.
"""
import math
import os
import subprocess
import sys
import sysconfig
import tempfile
import time
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".bench-venv"
PACKAGES = ["numpy", "numba", "pythran", "cython", "matplotlib"]


def ensure_venv():
    """Re-runs this script inside .bench-venv, creating it first if needed."""
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    python = VENV / "bin" / "python"
    if not python.exists():
        print(f"creating {VENV} with {' '.join(PACKAGES)} (first run only)")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    missing = subprocess.run([str(python), "-c", "import numpy, numba, pythran, Cython, matplotlib"], capture_output=True).returncode
    if missing:
        subprocess.run([str(python), "-m", "pip", "install", "-q", *PACKAGES], check=True)
    os.execv(str(python), [str(python), __file__, *sys.argv[1:]])


ensure_venv()
# numpy's OpenBLAS starts a thread per core that spins between BLAS calls; on this 2-core
# machine it took a fifth of the samples in profiles of the kernels. No kernel here calls BLAS.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _build import best_times, build, load, pyaot  # noqa: E402

KERNELS = ROOT / "examples" / "kernels"
from _cases import CASES, NUMPY_CASES  # noqa: E402

PEERS = ["Pythran", "Numba", "Cython"]


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def load_as(name, path):
    import importlib.util
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_pythran(src: Path, out_dir: Path):
    out = out_dir / f"{src.stem}.pythran.so"
    flags = ["-O3", "-march=native"]
    if "#omp" in src.read_text():
        flags.append("-fopenmp")
    proc, seconds = timed(lambda: subprocess.run([str(Path(sys.executable).parent / "pythran"), *flags, str(src), "-o", str(out)], capture_output=True, text=True))
    if proc.returncode != 0:
        print(f"  pythran failed on {src.name}: {proc.stderr.strip().splitlines()[-1:]}")
        return None
    return out, seconds


def build_cython(src: Path, out_dir: Path):
    work = out_dir / f"cython_{src.stem}"
    work.mkdir(exist_ok=True)
    copy = work / src.name
    copy.write_text(src.read_text())
    inc = sysconfig.get_paths()["include"]
    out = work / f"{src.stem}{sysconfig.get_config_var('EXT_SUFFIX')}"

    def run():
        subprocess.run([sys.executable, "-m", "cython", "-3", str(copy)], check=True, capture_output=True)
        subprocess.run(["cc", "-O3", "-march=native", "-shared", "-fPIC", f"-I{inc}", f"-I{np.get_include()}",
                        str(copy.with_suffix(".c")), "-o", str(out), "-lm"], check=True, capture_output=True)
    try:
        _, seconds = timed(run)
    except subprocess.CalledProcessError as e:
        print(f"  cython failed on {src.name}: {e.stderr.decode()[-300:] if e.stderr else e}")
        return None
    return out, seconds


def fresh(args):
    return tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)


def outcome(fn, args):
    call_args = fresh(args)
    result = fn(*call_args)
    return result, call_args


def agree(a, b):
    if isinstance(a, tuple):
        return len(a) == len(b) and all(agree(x, y) for x, y in zip(a, b))
    if a is None or b is None:
        return a is b
    return bool(np.allclose(a, b, rtol=1e-9, atol=1e-12, equal_nan=True))


def fmt_ms(t):
    return "—" if t is None else (f"{t * 1e3:.1f}" if t >= 0.01 else f"{t * 1e3:.3f}")


def run_set(cases, kernels: Path, tmp: Path, time_cpython: bool):
    """Builds, checks and times every kernel of one set: rows of (name, times, builds, sizes).
    CPython (with numpy) takes turns with the engines where `time_cpython` (numpy-style code
    runs at numpy's speed); else it is one run (a loop kernel takes seconds there)."""
    rows = []
    for name, make_args in cases.items():
        src = kernels / f"{name}.py"
        print(f"{name} …", flush=True)
        args = make_args()
        plain = getattr(load(f"{name}_cpython", src), name)
        engines, builds, sizes = {}, {}, {}
        out_dir = tmp / name
        out_dir.mkdir(parents=True)
        so, seconds = timed(lambda: build(src, out_dir))
        engines["pyaot"] = getattr(load_as(name, so), name)
        builds["pyaot"], sizes["pyaot"] = seconds, so.stat().st_size
        built = build_pythran(src, out_dir)
        if built:
            # Pythran names the module after the output file up to its first dot.
            engines["Pythran"] = getattr(load_as(built[0].name.split(".")[0], built[0]), name)
            builds["Pythran"], sizes["Pythran"] = built[1], built[0].stat().st_size
        try:
            import numba
            jit = numba.njit(plain)
            _, first = timed(lambda: jit(*fresh(args)))
            _, second = timed(lambda: jit(*fresh(args)))
            engines["Numba"], builds["Numba"] = jit, max(first - second, 0.0)
        except Exception as e:  # a kernel Numba cannot compile: say so, go on
            print(f"  numba failed on {name}: {type(e).__name__}: {str(e).splitlines()[0][:120]}")
        built = build_cython(src, out_dir)
        if built:
            engines["Cython"] = getattr(load_as(name, built[0]), name)
            builds["Cython"], sizes["Cython"] = built[1], built[0].stat().st_size
        expected = outcome(plain, args)
        for engine, fn in list(engines.items()):
            try:
                got = outcome(fn, args)
            except Exception as e:
                print(f"  {engine} raised on {name}: {type(e).__name__}: {e}")
                del engines[engine]
                continue
            if not (agree(got[0], expected[0]) and agree(got[1], expected[1])):
                print(f"  !! {engine} disagrees with CPython on {name}")
        # At least 15 rounds, and about 6 s of timed calls per kernel, in batches of about 10 ms:
        # on this shared machine a burst of load can spoil several rounds in a row, and a 20 ms
        # kernel would otherwise get only 15 chances at a quiet moment.
        if time_cpython:
            engines["CPython"] = plain
        times = best_times(engines, args, rounds=15, batch_seconds=0.01, budget_seconds=6.0)
        if not time_cpython:
            _, times["CPython"] = timed(lambda: plain(*fresh(args)))
        rows.append((name, times, builds, sizes))
    return rows


def tables(rows, cpython_label="CPython"):
    """The times table (with the geometric mean) and the build table of one set of kernels."""
    engines = ["CPython", "pyaot", *PEERS]
    lines = ["| kernel | " + " | ".join(f"{cpython_label if e == 'CPython' else e} (ms)" for e in engines) + f" | pyaot ÷ best peer | speed-up over {cpython_label} |", "|---|" + "---|" * (len(engines) + 2)]
    ratios = []
    for name, times, _, _ in rows:
        peers = [times[p] for p in PEERS if p in times]
        ratio = times["pyaot"] / min(peers) if peers else float("nan")
        if peers:
            ratios.append(ratio)
        cells = [fmt_ms(times.get(e)) for e in engines]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {ratio:.2f} | {times['CPython'] / times['pyaot']:.1f}× |")
    geo = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
    lines.append("")
    lines.append(f"Geometric mean pyaot ÷ best peer: **{geo:.2f}** (bounds checks on); worst kernel {max(ratios):.2f}.")
    lines.append("")
    lines.append("| kernel | pyaot build (s) | Pythran build (s) | Cython build (s) | Numba JIT (s) | pyaot .so (KB) | Pythran .so (KB) | Cython .so (KB) |")
    lines.append("|---|---|---|---|---|---|---|---|")
    for name, _, builds, sizes in rows:
        b = lambda e: f"{builds[e]:.2f}" if e in builds else "—"  # noqa: E731
        k = lambda e: f"{sizes[e] / 1024:.0f}" if e in sizes else "—"  # noqa: E731
        lines.append(f"| {name} | {b('pyaot')} | {b('Pythran')} | {b('Cython')} | {b('Numba')} | {k('pyaot')} | {k('Pythran')} | {k('Cython')} |")
    lines.append("")
    return lines


def main():
    # `--set loops` (examples/kernels), `--set numpy` (examples/numpy_kernels), both by default:
    # each rewrites its own section of docs/performance.md and its own chart.
    which = sys.argv[sys.argv.index("--set") + 1] if "--set" in sys.argv else "all"
    # A fresh clone builds the compiler first, outside the first kernel's build time.
    pyaot()
    tmp = Path(tempfile.mkdtemp(prefix="pyaot-bench-"))
    if which in ("all", "loops"):
        rows = run_set(CASES, KERNELS, tmp / "loops", time_cpython=False)
        lines = tables(rows)
        lines += call_overhead(tmp)
        table = "\n".join(lines)
        print("\n" + table)
        write_docs(table, rows, "bench", "benchmarks.png", "All kernels against every peer (`python3 examples/bench.py`)")
    if which in ("all", "numpy"):
        rows = run_set(NUMPY_CASES, ROOT / "examples" / "numpy_kernels", tmp / "numpy", time_cpython=True)
        table = "\n".join(tables(rows, "CPython + numpy"))
        print("\n" + table)
        write_docs(table, rows, "bench-numpy", "benchmarks_numpy.png", "numpy-style kernels against every peer (`python3 examples/bench.py --set numpy`)", "CPython + numpy")


CALLS = '''
#pythran export nothing()
def nothing():
    return 0


#pythran export one_float(float)
def one_float(x):
    return x


#pythran export one_array(float64[:])
def one_array(a):
    return a[0]


#pythran export three_arrays(float64[:], float64[:], float64[:])
def three_arrays(a, b, c):
    return a[0] + b[0] + c[0]
'''


def call_overhead(tmp: Path):
    src = tmp / "calls.py"
    src.write_text(CALLS)
    modules = {"pyaot": load_as("calls", build(src, tmp))}
    built = build_pythran(src, tmp)
    if built:
        modules["Pythran"] = load_as(built[0].name.split(".")[0], built[0])
    built = build_cython(src, tmp)
    if built:
        modules["Cython"] = load_as("calls", built[0])
    plain = load("calls_plain", src)
    try:
        import numba
        modules["Numba"] = type("numba_calls", (), {n: staticmethod(numba.njit(getattr(plain, n))) for n in ("nothing", "one_float", "one_array", "three_arrays")})
    except ImportError:
        pass
    modules["CPython"] = plain
    a = np.zeros(10)
    x = 1.5
    # Statements timed as they are (no lambda around them, no *args): what a call costs
    # from Python code.
    cases = [("no arguments", "nothing", "f()"), ("one float", "one_float", "f(x)"), ("one 1-D array", "one_array", "f(a)"), ("three arrays", "three_arrays", "f(a, a, a)")]
    engines = list(modules)
    out = ["| call overhead (ns per call) | " + " | ".join(engines) + " |", "|---|" + "---|" * len(engines)]
    for label, fn_name, stmt in cases:
        best = {e: math.inf for e in engines}
        # Engines take turns, so a slow moment of this shared machine hits all of them; many
        # short turns (15 of 2 x 100 000 calls) so that one quiet moment is enough for each.
        for _ in range(15):
            for e in engines:
                env = {"f": getattr(modules[e], fn_name), "x": x, "a": a}
                exec(stmt, env)
                best[e] = min(best[e], min(timeit.repeat(stmt, globals=env, number=100_000, repeat=2)) / 100_000 * 1e9)
        out.append(f"| {label} | " + " | ".join(f"{best[e]:.0f}" for e in engines) + " |")
    loop = min(timeit.repeat("pass", number=200_000, repeat=7)) / 200_000 * 1e9
    reference = min(timeit.repeat("f(x)", globals={"f": abs, "x": x}, number=200_000, repeat=7)) / 200_000 * 1e9
    out.append("")
    out.append(f"(each time includes timeit's loop, about {loop:.0f} ns; the builtin `abs(x)` takes {reference:.0f} ns in the same loop)")
    return out


def write_docs(table: str, rows, marker: str, chart: str, title: str, baseline: str = "CPython"):
    perf = ROOT / "docs" / "performance.md"
    text = perf.read_text() if perf.exists() else "# Performance\n"
    start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    stamp = (f"Machine: {os.cpu_count()} cores; Python {sys.version.split()[0]}; generated by `python3 examples/bench.py`. "
             "Times are the best batch (engines take turns, each round starting with another; at least 15 rounds and about 6 s of calls per kernel; an engine over 20× slower than the fastest takes its 15 turns apart; no OpenBLAS threads). Cython compiles the same untyped .py "
             "file; Numba is `njit` on the plain function (a dash: it could not compile it). pyaot keeps bounds checks on.\n\n")
    block = f"{start}\n{stamp}{table}\n\n![Speed-up over CPython per kernel]({chart})\n{end}"
    if start in text:
        text = text[:text.index(start)] + block + text[text.index(end) + len(end):]
    else:
        text += f"\n## {title}\n\n{block}\n"
    perf.write_text(text)
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    engines = ["pyaot", *PEERS]
    names = [r[0] for r in rows]
    fig, ax = plt.subplots(figsize=(11, 4.5))
    width = 0.8 / len(engines)
    for k, e in enumerate(engines):
        speedups = [r[1]["CPython"] / r[1][e] if e in r[1] else 0 for r in rows]
        ax.bar([i + k * width for i in range(len(names))], speedups, width, label=e)
    ax.set_yscale("log")
    ax.set_ylabel(f"speed-up over {baseline} (log)")
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(names))])
    ax.set_xticklabels(names, rotation=30, ha="right")
    ax.legend()
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(ROOT / "docs" / chart, dpi=110)


if __name__ == "__main__":
    main()
