"""The annotated report from the user's side: pyaot annotate and build --annotate, what the
report says about a kernel, escaping, determinism, and the page in headless Chromium."""
import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, pyaot_binary

KERNEL = ROOT / "examples" / "kernels" / "pairwise.py"


def annotate(src: Path, out: Path, *flags):
    proc = subprocess.run([str(pyaot_binary()), "annotate", str(src), "-o", str(out), *flags], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return out.read_text()


def rows(report: str):
    """{line: (score, reasons, verdict)} for every line with facts."""
    out = {}
    pattern = r'<details id="L(\d+)".*?<span class="score">(\d+)</span><code>.*?</code>(?:<span class="verdict">(.*?)</span>)?<span class="why">(.*?)</span>'
    for m in re.finditer(pattern, report):
        out[int(m.group(1))] = (int(m.group(2)), html.unescape(m.group(4)), html.unescape(m.group(3) or ""))
    return out


def line_no(text: str, needle: str) -> int:
    return next(i + 1 for i, line in enumerate(text.splitlines()) if needle in line)


def test_report_explains_the_kernel(tmp_path):
    report = annotate(KERNEL, tmp_path / "pairwise.html", "--target-cpu", "generic")
    src = KERNEL.read_text()
    r = rows(report)
    score, why, _ = r[line_no(src, "def pairwise")]
    assert score > 0 and "unboxes `x` (float64[:, :])" in why
    score, why, _ = r[line_no(src, "return out")]
    assert score > 0 and "returns to Python: boxes" in why
    assert "numpy.empty" in r[line_no(src, "np.empty")][1]
    for needle in ("t = x[i, k] - x[j, k]", "s += t * t", "out[i, j] = math.sqrt(s)"):
        assert r[line_no(src, needle)][0] == 0, needle
    inner = line_no(src, "for k in range(d)")
    inner_row = report[report.index(f'id="L{inner}"'):].split("</details>")[0]
    assert re.search(r"loop: (vectorized \(width \d+|not vectorized)", inner_row), inner_row[:500]
    assert "bounds check" in report
    assert "pyaot report: <code>pairwise.py</code>" in report


def test_escaping_and_determinism(tmp_path):
    src = tmp_path / "evil.py"
    src.write_text("#export f(int)\ndef f(n):\n    # </pre><script>alert('x')</script> & <b>\n    return n\n")
    a = annotate(src, tmp_path / "a.html")
    b = annotate(src, tmp_path / "b.html")
    assert a == b
    assert "<script>alert" not in a and "&lt;/pre&gt;&lt;script&gt;" in a
    assert str(tmp_path) not in a


def test_build_annotate_writes_report_next_to_module(tmp_path):
    src = tmp_path / "mod.py"
    src.write_text("#export f(float)\ndef f(x):\n    return x * 2.0\n")
    proc = subprocess.run([str(pyaot_binary()), "build", "--annotate", str(src)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "mod.abi3.so").exists()
    assert "returns to Python" in (tmp_path / "mod.html").read_text()


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("no Chromium found: scripts/setup.sh installs Debian's chromium")


def test_opens_in_headless_chromium_and_expands_a_line(tmp_path):
    report = tmp_path / "pairwise.html"
    annotate(KERNEL, report, "--target-cpu", "generic")
    line = line_no(KERNEL.read_text(), "np.empty")
    proc = subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", f"file://{report}#L{line}"],
        capture_output=True, text=True, timeout=120)
    dom = proc.stdout
    assert f'id="L{line}"' in dom, proc.stderr[-2000:]
    opened = re.search(rf'<details id="L{line}" class="line"([^>]*)>', dom).group(1)
    assert "open" in opened
    assert all("open" not in m.group(2) for m in re.finditer(r'<details id="L(\d+)" class="line"([^>]*)>', dom) if int(m.group(1)) != line)


def test_parallel_loops_are_described(tmp_path):
    report = annotate(ROOT / "examples" / "kernels" / "reduction.py", tmp_path / "reduction.html", "--target-cpu", "generic")
    assert "parallel: auto schedule (up to 256 chunks, each taken by the next free thread; reductions folded in chunk order, so the result does not depend on the threads), reduction(+:s)" in html.unescape(report)


def test_lockstep_lanes_are_described(tmp_path):
    src = ROOT / "examples" / "kernels" / "mandelbrot.py"
    report = annotate(src, tmp_path / "mandelbrot.html")
    text = src.read_text()
    r = rows(report)
    _, _, verdict = r[line_no(text, "for x in range(width):")]
    assert verdict.startswith("lanes: runs 4 iterations side by side")
    # The outer loop's body has no while loop of its own: no lanes there.
    _, _, verdict = r[line_no(text, "for y in range(height):")]
    assert "lanes:" not in verdict


def kernel_row(kernel: str, needle: str, tmp_path):
    """(score, reasons, verdict) of the first line of examples/kernels/<kernel>.py holding
    `needle`, in its report."""
    src = ROOT / "examples" / "kernels" / f"{kernel}.py"
    report = annotate(src, tmp_path / f"{kernel}.html")
    return rows(report)[line_no(src.read_text(), needle)]


def test_unrolled_scatters_are_described(tmp_path):
    _, _, verdict = kernel_row("histogram", "for v in values:", tmp_path)
    assert verdict.startswith("unrolled: runs 4 iterations per loop test") and "not vectorized" in verdict
    # Stores that follow the loop variable are no scatter: bubble sort's loops stay as written.
    _, _, verdict = kernel_row("bubble", "for j in range(n - 1 - i):", tmp_path)
    assert "unrolled:" not in verdict


def test_jammed_loops_are_described(tmp_path):
    _, _, verdict = kernel_row("matmul", "for k in range(m):", tmp_path)
    assert verdict.startswith("jammed: runs 2 iterations per round with their inner loops fused")
    # The stencil's rows are written by one iteration each: nothing to save, not jammed.
    _, _, verdict = kernel_row("stencil", "for i in range(1, n - 1):", tmp_path)
    assert "jammed:" not in verdict


def test_border_only_zero_fill_is_described(tmp_path):
    _, why, _ = kernel_row("stencil", "out = np.zeros((n, m))", tmp_path)
    assert why.startswith("zeroes only the border: the loop after it writes every other element") and "numpy.empty" in why
    # matmul's c is added to, not overwritten: zeroed as written.
    _, why, _ = kernel_row("matmul", "c = np.zeros((n, p))", tmp_path)
    assert "border" not in why and "numpy.zeros" in why


def test_whole_array_arithmetic_is_described(tmp_path):
    src = ROOT / "tests" / "cases" / "array_expressions.py"
    report = annotate(src, tmp_path / "arrays.html")
    # Compiled: one loop nest, allocating only the result (numpy.empty).
    score, why, _ = rows(report)[line_no(src.read_text(), "return k * x + y")]
    assert "whole-array arithmetic, compiled: one loop nest" in why and "numpy computes it" not in why
    assert "numpy.empty" in why
    # Element-wise comparisons too.
    score, why, _ = rows(report)[line_no(src.read_text(), "m = a > 0.5")]
    assert "whole-array arithmetic, compiled: one loop nest" in why
    # Shifts stay numpy's own, through Python.
    score, why, _ = rows(report)[line_no(src.read_text(), "return a + k, a - k")]
    assert score > 0 and "whole-array arithmetic: numpy computes it, called through Python" in why


def test_other_modules_functions_are_not_named_numpys(tmp_path):
    # `json.loads` is read from json as numpy's functions are from numpy; the report named it
    # "numpy.loads".
    src = tmp_path / "js.py"
    src.write_text("import json\nimport numpy as np\n\n#export f(str)\ndef f(s):\n    d = json.loads(s)\n    return len(d)\n\n\n#export g(int)\ndef g(n):\n    return np.zeros(n)\n")
    report = annotate(src, tmp_path / "js.html")
    assert "numpy.loads" not in report and "numpy.zeros" in report


def test_object_lines_say_what_talks_to_python(tmp_path):
    src = ROOT / "examples" / "objects_module.py"
    report = annotate(src, tmp_path / "objects.html")
    text = src.read_text()
    r = rows(report)
    score, why, _ = r[line_no(text, "counts[w] = counts.get(w, 0) + 1")]
    assert score > 0 and "calls Python functions or methods" in why and "works on Python objects" in why and "reference counting" in why
    _, why, _ = r[line_no(text, "out.append(w.upper())")]
    assert "calls Python functions or methods" in why
    # The callback loop: the call talks to Python, the loop and the float unboxing are listed too.
    _, why, _ = r[line_no(text, "s += f(a[i])")]
    assert "calls Python functions or methods" in why and "boxes values" in why
    # A list literal is a new object, not the arena's; a loop over objects says so plainly.
    _, why, _ = r[line_no(text, "groups[n] = [w]")]
    assert "arena" not in why and "boxes values" in why
    _, _, verdict = r[line_no(text, "for w in text.split():")]
    assert verdict == "not vectorized: it works on Python objects"


def test_every_line_that_can_raise_is_marked(tmp_path):
    # Two equal IndexError paths on different lines: LLVM would merge them into one call at
    # line 0 (and the report lose both) unless raising calls are kept apart (`nomerge`).
    report = annotate(ROOT / "examples" / "kernels" / "homopolymer.py", tmp_path / "h.html", "--target-cpu", "generic")
    src = (ROOT / "examples" / "kernels" / "homopolymer.py").read_text()
    marked = {int(m) for m in re.findall(r'<details id="L(\d+)" class="line"><summary[^>]*><span class="no">\d+</span><span class="err" title="can raise">!</span>', report)}
    lines = [i + 1 for i, line in enumerate(src.splitlines()) if "counts[min(run, longest)] += 1" in line]
    assert len(lines) == 2 and set(lines) <= marked


def test_if_conversion_and_speculation_are_described(tmp_path):
    # The report reads the plan: every transform that applies to a line is named there.
    _, why, _ = kernel_row("floyd", "if dik + d[k, j] < d[i, j]:", tmp_path)
    assert "if-converted: the element is stored with its old or its new value" in why
    src = ROOT / "examples" / "kernels" / "stencil.py"
    report = annotate(src, tmp_path / "stencil_spec.html")
    line = line_no(src.read_text(), "for j in range(1, m - 1):")
    assert re.search(rf'id="L{line}"(?:(?!</details>).)*loop: speculative: runs first with every check collected', report, re.S)
    # A branch that guards something rare stays a branch: bubble sort's swap is not if-converted.
    _, why, _ = kernel_row("bubble", "if a[j] > a[j + 1]:", tmp_path)
    assert "if-converted" not in why


def test_instance_facts_are_described(tmp_path):
    # Facts of the plan that cost nothing to explain sit in a line's details, not its summary.
    for kernel, needle, fact in [("fib", "def fib(n):", "fails by escape: a failure deep in the recursion"),
                                 ("matmul", "c = np.zeros((n, p))", "a fresh array: made here and only indexed")]:
        src = ROOT / "examples" / "kernels" / f"{kernel}.py"
        report = annotate(src, tmp_path / f"{kernel}_facts.html")
        line = line_no(src.read_text(), needle)
        assert re.search(rf'id="L{line}"(?:(?!</details>).)*<p class="fact">{re.escape(fact)}', report, re.S), kernel
        assert fact not in rows(report)[line][1]


KMEANS = '''import numpy as np
import json
BIG = json.loads("1e300")

#export assign(float64[:, :], float64[:, :])
def assign(x, c):
    labels = np.empty(x.shape[0], dtype=np.int64)
    for i in range(x.shape[0]):
        best = -1
        best_d = BIG
        for k in range(c.shape[0]):
            d = 0.0
            for j in range(x.shape[1]):
                d += (x[i, j] - c[k, j]) ** 2
            if d < best_d:
                best_d = d
                best = k
        labels[i] = best
    return labels
'''


def test_darkest_line_is_the_inner_loop_and_names_the_root_cause(tmp_path):
    # Scores count how often a line runs (10x per loop level); converting arguments and results
    # is once per call, apart. A local that is a Python object names the line that made it one.
    src = tmp_path / "kmeans.py"
    src.write_text(KMEANS)
    r = rows(annotate(src, tmp_path / "kmeans.html"))
    inner = line_no(KMEANS, "if d < best_d:")
    darkest = max(r, key=lambda line: r[line][0])
    assert darkest == inner, (darkest, r[darkest])
    assert "`best_d` is a Python object since line 10 (`best_d = BIG`)" in r[inner][1]
    assert r[line_no(KMEANS, "def assign")][0] < r[inner][0] / 10
    assert "once per call" in r[line_no(KMEANS, "return labels")][1]
