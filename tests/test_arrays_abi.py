"""Arrays at the boundary: bad input never crashes (TypeError/ValueError naming function,
argument, expected and got), any buffer with the right format is accepted, reference counts and
memory stay flat, kernels release the GIL, and the boundscheck/wraparound directives work."""
import array
import re
import resource
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

from conftest import build, load_module, pyaot_binary

SOURCE = textwrap.dedent('''
    import numpy as np

    #export total(float64[:])
    def total(a):
        s = 0.0
        for x in a:
            s += x
        return s

    #export fill(float64[:, :], float)
    def fill(a, v):
        n, m = a.shape
        for i in range(n):
            for j in range(m):
                a[i, j] = v

    #export points(float64[:, 3])
    def points(p):
        return p.shape[0]

    #export contiguous(int32[::1])
    def contiguous(a):
        return len(a)

    #export both(float64[:], int64[:])
    #export both(int64[:], float64[:])
    def both(a, b):
        return len(a) + len(b)

    #export make(int)
    def make(n):
        out = np.zeros((n, 2))
        for i in range(n):
            out[i, 0] = i
        return out, out[1:], out.T

    #export spin(int)
    def spin(n):
        s = 0
        for i in range(n):
            s = (s * 31 + i) % 1000003
        return s
''')


@pytest.fixture(scope="module")
def mod(tmp_path_factory):
    d = tmp_path_factory.mktemp("arrays_abi")
    src = d / "arrays_abi.py"
    src.write_text(SOURCE)
    return load_module("arrays_abi", build(src, d))


def message(exc, fn, *args):
    with pytest.raises(exc) as info:
        fn(*args)
    return str(info.value)


def test_wrong_dtype_ndim_and_non_buffers(mod):
    assert "total() argument 'a' must be a float64[:] array" in message(TypeError, mod.total, np.arange(3))
    assert "format 'l'" in message(TypeError, mod.total, np.arange(3))
    assert "1 dimension" not in message(TypeError, mod.total, np.zeros((2, 2)))
    assert "with 2 dimension(s)" in message(TypeError, mod.total, np.zeros((2, 2)))
    assert message(TypeError, mod.total, [1.0, 2.0]) == "total() argument 'a' must be a float64[:] array, not list"
    assert message(TypeError, mod.total, None) == "total() argument 'a' must be a float64[:] array, not NoneType"
    assert message(TypeError, mod.total, 3.0) == "total() argument 'a' must be a float64[:] array, not float"
    # A masked array's buffer is its data with the mask ignored: refused, not summed.
    masked = np.ma.masked_array([1.0, 2.0, 3.0], mask=[0, 1, 0])
    assert "is a masked array" in message(TypeError, mod.total, masked)
    assert mod.total(masked.filled(0.0)) == 4.0


def test_fixed_sizes_and_contiguity(mod):
    assert mod.points(np.zeros((5, 3))) == 5
    assert "float64[:, 3]" in message(TypeError, mod.points, np.zeros((5, 2)))
    assert mod.contiguous(np.zeros(4, dtype=np.int32)) == 4
    assert "int32[::1]" in message(TypeError, mod.contiguous, np.zeros(8, dtype=np.int32)[::2])


def test_any_buffer_with_the_right_format(mod):
    assert mod.total(array.array("d", [1.0, 2.5])) == 3.5
    assert mod.total(memoryview(array.array("d", [4.0, 5.0]))) == 9.0
    assert mod.total(np.arange(6.0)[::-2]) == 5.0 + 3.0 + 1.0
    assert mod.total(np.broadcast_to(np.array([2.0]), (4,))) == 8.0  # zero stride
    assert mod.total(np.zeros(0)) == 0.0


def test_read_only_refused_only_when_written(mod):
    ro = np.zeros((2, 2))
    ro.flags.writeable = False
    assert mod.total(ro[0]) == 0.0
    assert message(ValueError, mod.fill, ro, 1.0) == "assignment destination is read-only"
    frozen_bytes = memoryview(bytes(16)).cast("d")
    assert mod.total(frozen_bytes) == 0.0


def test_overloads_on_dtype(mod):
    assert mod.both(np.zeros(2), np.zeros(3, dtype=np.int64)) == 5
    assert mod.both(np.zeros(2, dtype=np.int64), np.zeros(3)) == 5
    assert "matches no exported signature" in message(TypeError, mod.both, np.zeros(2), np.zeros(3))


def test_returned_arrays_are_plain_numpy_arrays(mod):
    out, tail, t = mod.make(3)
    assert out.dtype == np.float64 and out.shape == (3, 2) and out.flags.writeable and out.flags.c_contiguous
    assert tail.shape == (2, 2) and t.shape == (2, 3)
    tail[0, 1] = 9.0  # views share memory with the array they came from
    assert out[1, 1] == 9.0 and t[1, 1] == 9.0


def test_reference_counts_unchanged(mod):
    a = np.arange(10.0)
    g = np.zeros((3, 3))
    before = (sys.getrefcount(a), sys.getrefcount(g))
    for _ in range(10_000):
        mod.total(a)
        mod.fill(g, 1.0)
        with pytest.raises(TypeError):
            mod.both(a, a)
    assert (sys.getrefcount(a), sys.getrefcount(g)) == before


def rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def test_memory_flat_over_100k_calls(mod):
    a = np.arange(100.0)
    for _ in range(20_000):
        mod.make(50)
        mod.total(a)
    start = rss_kib()
    for _ in range(100_000):
        mod.make(50)
        mod.total(a)
    grown = rss_kib() - start
    assert grown < 4096, f"RSS grew by {grown} KiB over 100k calls"


def test_kernels_release_the_gil(mod):
    counter = [0]
    stop = threading.Event()

    def count():
        while not stop.is_set():
            counter[0] += 1

    t = threading.Thread(target=count)
    t.start()
    time.sleep(0.05)
    before = counter[0]
    mod.spin(60_000_000)
    during = counter[0] - before
    stop.set()
    t.join()
    # With the GIL held for the whole call the other thread could not count at all.
    assert during > 1000, during


DIRECTIVES = textwrap.dedent('''
    # pyaot: boundscheck=True

    #export plain(float64[:], int)
    def plain(a, i):
        return a[i]

    # pyaot: wraparound=False
    #export no_wrap(float64[:], int)
    def no_wrap(a, i):
        return a[i]

    # pyaot: boundscheck=False
    #export unchecked_sum(float64[:])
    def unchecked_sum(a):
        s = 0.0
        for i in range(len(a)):
            s += a[i]
        return s
''')


def test_directives(tmp_path):
    src = tmp_path / "directed.py"
    src.write_text(DIRECTIVES)
    mod = load_module("directed", build(src, tmp_path))
    a = np.arange(4.0)
    assert mod.plain(a, -1) == 3.0
    assert "index -1 is out of bounds" in message(IndexError, mod.no_wrap, a, -1)
    assert mod.no_wrap(a, 2) == 2.0
    assert mod.unchecked_sum(a) == 6.0
    ir = tmp_path / "directed.ll"
    subprocess.run([str(pyaot_binary()), "build", str(src), "--emit", "llvm-ir", "-o", str(ir)], check=True)
    text = ir.read_text()
    # Every function but unchecked_sum keeps its bounds check.
    body = re.search(r"^define [^\n]*@pyaot\.wrap\.unchecked_sum\(.*?^}$", text, re.S | re.M).group(0)
    assert "pyaot.index_error" not in body


def test_no_boundscheck_flag(tmp_path):
    src = tmp_path / "flagged.py"
    src.write_text("#export get(float64[:], int)\ndef get(a, i):\n    return a[i]\n")
    ir = tmp_path / "flagged.ll"
    subprocess.run([str(pyaot_binary()), "build", str(src), "--no-boundscheck", "--emit", "llvm-ir", "-o", str(ir)], check=True)
    assert "pyaot.index_error" not in ir.read_text()
    subprocess.run([str(pyaot_binary()), "build", str(src), "--emit", "llvm-ir", "-o", str(ir)], check=True)
    assert "pyaot.index_error" in ir.read_text()
