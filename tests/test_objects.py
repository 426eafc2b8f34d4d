"""The object fallback at the boundary: argument checks for object types, exact refcounts over
many calls (every path, failing ones included), output of print, imports resolved when the
extension is imported, the GIL held by functions that use objects."""
import subprocess
import sys
import textwrap
import threading
import tracemalloc
from collections import Counter

import numpy as np
import pytest

from conftest import build, load_module

SOURCE = '''
from collections import Counter
import fractions

#export word_counts(str)
def word_counts(text):
    counts = {}
    for w in text.split():
        counts[w] = counts.get(w, 0) + 1
    return counts

#export first(str list)
def first(words):
    return words[0]

#export keys(str:int dict)
def keys(d):
    return sorted(d)

#export size(int set)
def size(s):
    return len(s)

#export apply(object, float64[:])
def apply(f, a):
    s = 0.0
    for i in range(len(a)):
        s += f(a[i])
    return s

#export lookup(object, object)
def lookup(d, k):
    x = [k, k]
    y = f"{k}!"
    return d[k], x, y

#export unpack(object)
def unpack(pair):
    a, b = pair
    return b, a

#export loop_break(object, int)
def loop_break(xs, stop):
    n = 0
    for x in xs:
        if n == stop:
            return x
        n += 1
    return None

#export frac(int)
def frac(n):
    total = fractions.Fraction(0)
    for k in range(1, n + 1):
        total += fractions.Fraction(1, k)
    return total

#export show(object, object)
def show(a, b):
    print(a, b, sep="|")
    print(f"{a!r:>6}")

#export guarded(object, object)
def guarded(d, k):
    try:
        for x in [k]:
            return d[x]
    except KeyError as e:
        return e
    finally:
        d["seen"] = k

#export rethrow(object)
def rethrow(d):
    try:
        return d["x"]
    except KeyError:
        raise

#export comp(object, object)
def comp(xs, d):
    return [d[x] for x in xs if x != 0], {x: d.get(x) for x in xs}

#export spin(object, int)
def spin(f, n):
    s = 0
    for i in range(n):
        s += f(i)
    return s
'''


@pytest.fixture(scope="module")
def mod(tmp_path_factory):
    d = tmp_path_factory.mktemp("objects")
    src = d / "objmod.py"
    src.write_text(SOURCE)
    return load_module("objmod", build(src, d))


def test_object_argument_types_are_checked(mod):
    assert mod.word_counts("a b a") == {"a": 2, "b": 1}
    with pytest.raises(TypeError, match=r"word_counts\(\) argument 'text' must be str, not int"):
        mod.word_counts(3)
    with pytest.raises(TypeError, match=r"first\(\) argument 'words' must be list, not tuple"):
        mod.first(("a",))
    with pytest.raises(TypeError, match=r"keys\(\) argument 'd' must be dict, not list"):
        mod.keys([1])
    with pytest.raises(TypeError, match=r"size\(\) argument 's' must be set, not list"):
        mod.size([1])
    assert mod.size(frozenset({1, 2})) == 2
    # Subclasses are accepted, as Python's own checks accept them.
    assert mod.keys(Counter("ba")) == ["a", "b"]


def test_refcounts_exact_over_many_calls(mod):
    key, value = "k" * 3, object()
    d = {key: value}
    arr = np.arange(4.0)
    f = lambda x: x
    pair = (key, value)
    xs = [key, value, arr]
    before = [sys.getrefcount(o) for o in (key, value, d, arr, f, pair, xs)]
    for _ in range(2000):
        mod.lookup(d, key)
        mod.apply(f, arr)
        mod.unpack(pair)
        mod.loop_break(xs, 1)
        mod.loop_break(xs, 5)
        with pytest.raises(KeyError):
            mod.lookup(d, "missing")
        with pytest.raises(ValueError):
            mod.unpack(xs)
        with pytest.raises(TypeError):
            mod.apply(lambda x: "s", arr)
        mod.guarded(d, key)
        mod.guarded(d, "missing")
        with pytest.raises(KeyError):
            mod.rethrow(d)
        mod.comp(xs[:1], d)
        with pytest.raises(KeyError):
            mod.comp([key, "missing"], d)
    d.pop("seen")
    after = [sys.getrefcount(o) for o in (key, value, d, arr, f, pair, xs)]
    assert after == before


def test_no_leak_over_many_calls(mod):
    text = "the cat and the hat " * 20
    for _ in range(200):
        mod.word_counts(text), mod.frac(20), mod.lookup({"a": 1}, "a")
    tracemalloc.start()
    snapshot = tracemalloc.take_snapshot()
    for _ in range(3000):
        mod.word_counts(text)
        mod.frac(20)
        mod.lookup({"a": 1}, "a")
        try:
            mod.lookup({}, "a")
        except KeyError:
            pass
    grown = sum(s.size_diff for s in tracemalloc.take_snapshot().compare_to(snapshot, "filename"))
    tracemalloc.stop()
    assert grown < 64 * 1024, f"memory grew by {grown} bytes over 3000 calls"


def test_exception_from_callback_keeps_its_traceback(mod):
    def bad(x):
        raise LookupError("from the callback")
    with pytest.raises(LookupError, match="from the callback") as info:
        mod.apply(bad, np.ones(2))
    assert info.traceback[-1].name == "bad"


def test_print_writes_to_sys_stdout(mod, capsys):
    mod.show("x", 2)
    assert capsys.readouterr().out == "x|2\n   'x'\n"


def test_failing_import_fails_the_extension_import(tmp_path):
    src = tmp_path / "badimport.py"
    src.write_text("import no_such_module_here\n\n#export f(int)\ndef f(n):\n    return no_such_module_here.g(n)\n")
    so = build(src, tmp_path)
    proc = subprocess.run([sys.executable, "-c", "import badimport"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode != 0
    assert "ModuleNotFoundError: No module named 'no_such_module_here'" in proc.stderr
    assert so.exists()


def test_missing_from_import_fails_the_extension_import(tmp_path):
    """`from m import x` needs x when the module is imported, as in CPython (an attribute read
    off a module is looked up when its line runs instead: tests/cases/module_attributes.py)."""
    src = tmp_path / "badfrom.py"
    src.write_text("from os import no_such_name\n\n#export f(int)\ndef f(n):\n    return no_such_name.g(n)\n")
    build(src, tmp_path)
    proc = subprocess.run([sys.executable, "-c", "import badfrom"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode != 0
    assert "no_such_name" in proc.stderr


def test_functions_using_objects_hold_the_gil(mod):
    # A callback that needs the GIL is called from the compiled loop while another thread
    # runs Python: both finish and agree (with the GIL released this would crash).
    results = []
    t = threading.Thread(target=lambda: results.append(sum(i for i in range(200000))))
    t.start()
    assert mod.spin(lambda i: i % 7, 200000) == sum(i % 7 for i in range(200000))
    t.join()
    assert results == [sum(range(200000))]


PORTABLE = '''
import fractions

#export run(object, str)
def run(f, text):
    counts = {}
    for w in text.split():
        counts[w] = counts.get(w, 0) + 1
    out = []
    for k in sorted(counts):
        out.append(f"{k}={counts[k]}")
    try:
        f(None)
    except TypeError as e:
        out.append(type(e).__name__)
    total = fractions.Fraction(0)
    for i in range(1, 4):
        total += fractions.Fraction(1, i)
    return ",".join(out), f(2), str(total), max(out, key=len)
'''


@pytest.mark.parametrize("version", ["3.11", "3.12", "3.13"])
def test_object_module_runs_on_each_python(tmp_path, version):
    # The object fallback calls by vectorcall: stable ABI from 3.12, exported by 3.11 too.
    from test_abi import interpreters
    exe = interpreters()[version]
    assert exe, f"Python {version} not found"
    src = tmp_path / "portable.py"
    src.write_text(PORTABLE)
    so = build(src, tmp_path)
    script = "import portable; print(portable.run(lambda x: x * 10, 'b a b'))"
    proc = subprocess.run([exe, "-c", script], cwd=so.parent, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "('a=1,b=2,TypeError', 20, '11/6', 'TypeError')"


def test_module_values_are_computed_at_import(tmp_path):
    src = tmp_path / "modvals.py"
    src.write_text("import collections\nSEEN = collections.Counter()\nLIMIT = 1 // 0\n\n#export f(int)\ndef f(n):\n    return SEEN, LIMIT\n")
    build(src, tmp_path)
    proc = subprocess.run([sys.executable, "-c", "import modvals"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode != 0 and "ZeroDivisionError" in proc.stderr
    src.write_text("import collections\nSEEN = collections.Counter()\n\n#export see(str)\ndef see(w):\n    SEEN[w] += 1\n    return SEEN[w]\n")
    build(src, tmp_path)
    proc = subprocess.run([sys.executable, "-c", "import modvals; modvals.see('a'); print(modvals.see('a'), modvals.SEEN)"],
                          cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "2 Counter({'a': 2})"


def test_exception_in_a_handler_chains_the_handled_one(tmp_path):
    src = tmp_path / "chained.py"
    src.write_text(
        "#export f(object)\n"
        "def f(d):\n"
        "    try:\n"
        "        return d['k']\n"
        "    except KeyError:\n"
        "        raise ValueError('no k')\n"
        "\n"
        "#export g(object)\n"
        "def g(d):\n"
        "    try:\n"
        "        return d['k']\n"
        "    except KeyError:\n"
        "        raise\n"
    )
    src.write_text(src.read_text() +
        "\n#export h(object, object)\n"
        "def h(d, cause):\n"
        "    try:\n"
        "        return d['k']\n"
        "    except KeyError:\n"
        "        raise ValueError('no k') from cause\n")
    mod = load_module("chained", build(src, tmp_path))
    with pytest.raises(ValueError) as info:
        mod.h({}, None)
    assert info.value.__cause__ is None and info.value.__suppress_context__
    with pytest.raises(ValueError) as info:
        mod.h({}, IndexError)
    assert isinstance(info.value.__cause__, IndexError) and isinstance(info.value.__context__, KeyError)
    with pytest.raises(ValueError) as info:
        mod.f({})
    assert isinstance(info.value.__context__, KeyError)
    with pytest.raises(KeyError) as info:
        mod.g({})
    assert info.value.__context__ is None
