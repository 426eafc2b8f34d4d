"""Arrays that compiled code creates with 16 KB or more start on a 64-byte boundary (numpy's own
allocator gives 16): they come from pyaot's numpy memory handler, set only around the call that
creates them. They own their data, resize, and free; numpy's handler elsewhere is unchanged."""
import resource
import threading

import numpy as np
import pytest

from conftest import build, load_module

try:
    from numpy._core.multiarray import get_handler_name
except ImportError:  # numpy 1.x
    from numpy.core.multiarray import get_handler_name

SOURCE = '''
import numpy as np

#export make(int, int)
def make(n, m):
    z = np.zeros((n, m))
    e = np.empty((n, m))
    o = np.ones((n, m), dtype=np.int32)
    f = np.full((n, m), 2.5)
    for i in range(n):
        for j in range(m):
            e[i, j] = i * m + j
    return z, e, o, f, e.copy(), np.zeros_like(e)

#export zeros(int)
def zeros(n):
    return np.zeros(n)

#export ones(int)
def ones(n):
    return np.ones(n)
'''


@pytest.fixture(scope="module")
def mod(tmp_path_factory):
    d = tmp_path_factory.mktemp("aligned")
    src = d / "alignedmod.py"
    src.write_text(SOURCE)
    return load_module("alignedmod", build(src, d))


def test_large_arrays_start_on_a_cache_line(mod):
    before = get_handler_name()
    for n, m in [(64, 32), (120, 120), (3, 10_000)]:
        z, e, o, f, c, zl = mod.make(n, m)
        for a in (z, e, o, f, c, zl):
            if a.nbytes >= 16 * 1024:
                assert a.ctypes.data % 64 == 0
                assert get_handler_name(a) == "pyaot_aligned_64"
            else:  # (64, 32) int32: 8 KB
                assert get_handler_name(a) == before
            assert a.flags.owndata and a.flags.c_contiguous and a.flags.writeable
        assert not z.any() and not zl.any()
        assert (o == 1).all() and o.dtype == np.int32 and (f == 2.5).all()
        assert (e == np.arange(n * m).reshape(n, m)).all() and (c == e).all()
    # Only around the calls: numpy's handler in this context is what it was.
    assert get_handler_name() == before


def test_small_arrays_keep_numpys_allocator(mod):
    z = mod.zeros(100)  # 800 bytes
    assert get_handler_name(z) == get_handler_name()
    assert not z.any()


def test_arrays_beyond_the_caches_keep_numpys_allocator(mod):
    # 2 MB streams from memory, where split cache lines cost nothing (stencil ran faster).
    z = mod.zeros(256 * 1024)
    assert get_handler_name(z) == get_handler_name()
    assert not z.any()
    assert get_handler_name(mod.zeros(128 * 1024 - 8)) == "pyaot_aligned_64"  # just under 1 MB


def test_aligned_arrays_resize_and_free(mod):
    a = mod.zeros(4096)
    a[:] = np.arange(4096)
    a.resize(100_000, refcheck=False)  # through the handler's realloc
    assert (a[:4096] == np.arange(4096)).all() and not a[4096:].any()
    a.resize(10, refcheck=False)
    assert (a == np.arange(10)).all()
    # Creating and dropping many (written, so their pages count): no growth, free gets back
    # what malloc kept.
    mod.ones(120_000)
    start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(400):
        assert mod.ones(120_000).ctypes.data % 64 == 0  # 960 KB each, 375 MB if kept
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - start < 64 * 1024


def test_a_failing_creation_puts_the_handler_back(mod):
    before = get_handler_name()
    with pytest.raises((ValueError, MemoryError)):
        mod.zeros(1 << 62)
    assert get_handler_name() == before
    assert mod.zeros(5000).ctypes.data % 64 == 0


def test_threads_create_aligned_arrays(mod):
    seen = []

    def work():
        for _ in range(50):
            z, e, *_ = mod.make(40, 100)
            seen.append(z.ctypes.data % 64 + e.ctypes.data % 64)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 200 and not any(seen)
