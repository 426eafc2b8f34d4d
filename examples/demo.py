"""The main job: compile examples/fast.py with pyaot, import it, compare it with CPython running
the very same file, and write the annotated report (examples/fast.html)."""
import html
import re
import subprocess
import tempfile
import time
from pathlib import Path

from _build import build, load, pyaot

HERE = Path(__file__).resolve().parent


def best_of(fn, *args, repeat=3):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn(*args)
        best = min(best, time.perf_counter() - start)
    return best, result


def main():
    src = HERE / "fast.py"
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        so = build(src, Path(tmp))
        print(f"pyaot build {src.name}: {time.perf_counter() - start:.2f} s -> {so.name}")
        compiled = load("fast", so)
        plain = load("fast_cpython", src)
        n = 10**7
        t_py, r_py = best_of(plain.root_sum, n, repeat=1)
        t_aot, r_aot = best_of(compiled.root_sum, n)
        assert r_py == r_aot, (r_py, r_aot)
        print(f"root_sum({n:,}) = {r_aot!r}, identical under both")
        print(f"  CPython {t_py * 1e3:8.1f} ms")
        print(f"  pyaot   {t_aot * 1e3:8.1f} ms   {t_py / t_aot:.0f}x faster")
    report = HERE / "fast.html"
    subprocess.run([str(pyaot()), "annotate", str(src), "-o", str(report)], check=True, capture_output=True)
    text = report.read_text()
    stats = re.search(r'<p class="stats">(.*?)</p>', text).group(1)
    print(f"report: {report} (open it in a browser)\n  {stats}")
    for line, why in re.findall(r'<details id="L(\d+)".*?<span class="why">(.+?)</span>', text):
        print(f"  line {line}: {html.unescape(why)}")


if __name__ == "__main__":
    main()
