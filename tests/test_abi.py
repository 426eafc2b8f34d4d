"""The CPython boundary: argument conversion and its errors, keywords, overloads, signatures,
reference counts, and the abi3 module importing on every supported Python."""
import gc
import inspect
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from conftest import build, load_module

SOURCE = textwrap.dedent('''
    """A module for the ABI tests."""

    #export scale(float, int)
    def scale(x, n):
        return x * n

    #export narrow(uint8, int16, float32)
    def narrow(a, b, c):
        return a + b, c

    #export flag(bool)
    def flag(b):
        return not b

    #export both(int)
    #export both(float)
    def both(x):
        return x + 1

    #export point((float, float), int?)
    def point(p, k=2):
        x, y = p
        return (y * k, x * k), k > 1

    #export nothing()
    def nothing():
        return

    #export rot(complex)
    def rot(z):
        return z * 1j

    #export round_to(int, int)
    def round_to(x, n):
        return round(x, n)
''')


@pytest.fixture(scope="module")
def mod(tmp_path_factory):
    d = tmp_path_factory.mktemp("abi")
    src = d / "abi_mod.py"
    src.write_text(SOURCE)
    return load_module("abi_mod", build(src, d))


def raises(exc, fn, *args, **kwargs) -> str:
    with pytest.raises(exc) as info:
        fn(*args, **kwargs)
    return str(info.value)


def test_type_error_names_function_argument_expected_and_got(mod):
    assert raises(TypeError, mod.scale, "a", 1) == "scale() argument 'x' must be float (or int), not str"
    assert raises(TypeError, mod.scale, 1.0, 2.5) == "scale() argument 'n' must be int, not float"
    assert raises(TypeError, mod.scale, None, 2) == "scale() argument 'x' must be float (or int), not NoneType"
    assert raises(TypeError, mod.flag, 1) == "flag() argument 'b' must be bool, not int"


def test_ints_floats_and_numpy_scalars_convert(mod):
    assert mod.scale(2, 3) == 6.0 and type(mod.scale(2, 3)) is float
    assert mod.scale(np.float64(1.5), np.int64(2)) == 3.0
    assert mod.scale(np.float32(0.5), np.int32(4)) == 2.0
    assert mod.scale(1.0, True) == 1.0
    assert mod.flag(False) is True
    # numpy's bools (`a[i] > 0` of an array is one) are bools.
    assert mod.flag(np.bool_(True)) is False and mod.flag(np.bool_(False)) is True
    assert mod.flag(np.arange(3)[2] > 1) is False


def test_floats_read_in_place_and_through_the_c_api(mod):
    # Exact floats are read in place; subclasses and objects with __float__ go through
    # PyFloat_AsDouble, whose -1.0 is also its error value.
    class Half(float):
        pass

    class Floaty:
        def __float__(self):
            return 0.25

    class Refuses:
        def __float__(self):
            raise ValueError("no float here")

    assert mod.scale(-1.0, 3) == -3.0 and mod.scale(Half(-1.0), 3) == -3.0
    assert mod.scale(Half(0.5), 4) == 2.0 and mod.scale(Floaty(), 4) == 1.0
    assert raises(ValueError, mod.scale, Refuses(), 1) == "no float here"
    assert mod.scale(float("nan"), 1) != mod.scale(float("nan"), 1)


def test_int_overflow_and_narrow_ranges(mod):
    assert "does not fit in int64" in raises(OverflowError, mod.scale, 1.0, 2**63)
    assert mod.scale(1.0, 2**63 - 1) == float(2**63 - 1)
    assert mod.narrow(255, -32768, 0.1) == (255 - 32768, float(np.float32(0.1)))
    assert "out of range for uint8" in raises(OverflowError, mod.narrow, 256, 0, 0.0)
    assert "out of range for uint8" in raises(OverflowError, mod.narrow, -1, 0, 0.0)
    assert "out of range for int16" in raises(OverflowError, mod.narrow, 0, 40000, 0.0)


def test_round_beyond_int64_raises(mod):
    """CPython gives a big int; pyaot's ints are int64, so it raises rather than wrap."""
    assert mod.round_to(9223372036854775707, -2) == 9223372036854775700
    assert "does not fit in int64" in raises(OverflowError, mod.round_to, 9223372036854775707, -3)
    assert "does not fit in int64" in raises(OverflowError, mod.round_to, 9 * 10**18, -19)
    assert mod.round_to(4 * 10**18, -19) == 0
    assert mod.round_to(-(2**63), -400) == 0
    assert mod.round_to(5, -(2**63)) == 0  # CPython computes 10**(2**63) here, forever


def test_keywords_and_defaults(mod):
    assert mod.scale(n=2, x=1.5) == 3.0
    assert mod.point((1.0, 2.0)) == ((4.0, 2.0), True)
    assert mod.point(p=(1.0, 2.0), k=1) == ((2.0, 1.0), False)
    assert raises(TypeError, mod.scale, 1.0, 2, n=3) == "scale() got multiple values for argument 'n'"
    assert raises(TypeError, mod.scale, 1.0, m=3) == "scale() got an unexpected keyword argument 'm'"
    assert raises(TypeError, mod.scale, 1.0) == "scale() missing required argument 'n' (pos 2)"
    assert "at most 2 arguments (3 given)" in raises(TypeError, mod.scale, 1.0, 2, 3)


def test_tuple_arguments_are_checked(mod):
    assert "must be (float, float)" in raises(TypeError, mod.point, (1.0,))
    assert "must be (float, float)" in raises(TypeError, mod.point, [1.0, 2.0])
    assert "must be (float, float)" in raises(TypeError, mod.point, (1.0, "x"))


def test_overloads_dispatch_in_order_and_list_signatures(mod):
    assert mod.both(1) == 2 and type(mod.both(1)) is int
    assert mod.both(1.5) == 2.5
    assert raises(TypeError, mod.both, "x") == \
        "both() got (str), which matches no exported signature: both(int), both(float)"


def test_complex_arguments(mod):
    assert mod.rot(1 + 2j) == (1 + 2j) * 1j
    assert mod.rot(2) == 2j and mod.rot(1.5) == 1.5j
    assert mod.rot(np.complex64(1 + 1j)) == (1 + 1j) * 1j
    assert raises(TypeError, mod.rot, "x") == "rot() argument 'z' must be complex (or float, int), not str"


def test_none_result(mod):
    assert mod.nothing() is None


def test_signature_and_docstrings(mod):
    assert str(inspect.signature(mod.scale)) == "(x, n)"
    assert str(inspect.signature(mod.point)) == "(p, k=2)"
    assert "both(int) -> int" in mod.both.__doc__ and "both(float) -> float" in mod.both.__doc__
    assert mod.__doc__ == "A module for the ABI tests."


def test_reference_counts_are_exact(mod):
    arg = (1.5, 2.5)
    before = sys.getrefcount(arg)
    for _ in range(100_000):
        mod.point(arg, 3)
    assert sys.getrefcount(arg) == before
    gc.collect()
    big = 2**70
    before = sys.getrefcount(big)
    for _ in range(1000):
        with pytest.raises(OverflowError):
            mod.scale(1.0, big)
    assert sys.getrefcount(big) == before


def test_no_leak_over_many_calls(mod):
    import tracemalloc
    for _ in range(1000):
        mod.point((1.0, 2.0))
    tracemalloc.start()
    snapshot = tracemalloc.take_snapshot()
    for _ in range(200_000):
        mod.point((1.0, 2.0))
        mod.both(3.0)
    grown = sum(s.size_diff for s in tracemalloc.take_snapshot().compare_to(snapshot, "filename"))
    tracemalloc.stop()
    assert grown < 64 * 1024, f"memory grew by {grown} bytes over 400k calls"


def interpreters():
    """Python 3.11, 3.12 and 3.13: on PATH as pythonX.Y, or under pyenv."""
    found = {}
    for version in ("3.11", "3.12", "3.13"):
        candidates = sorted(Path.home().glob(f".pyenv/versions/{version}.*/bin/python{version}"))
        exe = str(candidates[-1]) if candidates else shutil.which(f"python{version}")
        if exe and "/shims/" in exe:  # a pyenv shim for a version that is not active fails
            exe = None
        found[version] = exe
    return found


@pytest.mark.parametrize("version", ["3.11", "3.12", "3.13"])
def test_abi3_module_imports_on_each_python(tmp_path, version):
    exe = interpreters()[version]
    assert exe, f"Python {version} not found (python{version} on PATH or under ~/.pyenv)"
    src = tmp_path / "stable.py"
    src.write_text("#export hyp(float, float)\ndef hyp(a, b):\n    return (a * a + b * b) ** 0.5\n")
    so = build(src, tmp_path)
    script = "import sys, stable; assert stable.hyp(3, 4) == 5.0; print(sys.version_info[:2])"
    proc = subprocess.run([exe, "-c", script], cwd=so.parent, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(tuple(int(x) for x in version.split(".")))


def test_int_of_floats_at_the_ends_of_int64(tmp_path):
    """int(x) inside compiled code: -2**63 converts; anything past int64 raises (CPython would
    give a big int; language.md lists the difference) instead of wrapping to garbage."""
    src = tmp_path / "toint.py"
    src.write_text("#export to_int(float)\ndef to_int(x):\n    return int(x)\n")
    mod = load_module("toint", build(src, tmp_path))
    assert mod.to_int(-2.0**63) == -2**63
    assert mod.to_int(2.0**63 - 1024) == 2**63 - 1024
    for big in (2.0**63, -2.0**63 - 2048, 1e300):
        assert "too large for int64" in raises(OverflowError, mod.to_int, big)


OVERFLOW = textwrap.dedent('''
    #export factorial(int)
    def factorial(n):
        r = 1
        for k in range(2, n + 1):
            r *= k
        return r

    #export ops(int, int)
    def ops(a, b):
        return a + b, a - b, a * b

    #export unary(int)
    def unary(a):
        return -a, abs(a)

    #export shifted(int, int)
    def shifted(a, b):
        return a << b

    #export power(int, int)
    def power(a, b):
        return a ** b

    #export floordiv(int, int)
    def floordiv(a, b):
        return a // b

    #export total(int64[:])
    def total(a):
        s = 0
        for x in a:
            s += x
        return s

    #export fib(int)
    def fib(n):
        if n < 2:
            return n
        return fib(n - 1) + fib(n - 2)

    # The same recursion spelled otherwise: the sum in a helper, the base case by `<=`.
    def plus(a, b):
        return a + b

    #export fib_helper(int)
    def fib_helper(n):
        if n <= 1:
            return n
        return plus(fib_helper(n - 2), fib_helper(n - 1))

    #export doubling(int)
    def doubling(n):
        if n == 0:
            return 1
        return doubling(n - 1) * 2

    def twice(x):
        return x + x

    #export doubling_helper(int)
    def doubling_helper(n):
        if n <= 0:
            return 1
        return twice(doubling_helper(n - 1))

    # And as a loop.
    #export fib_loop(int)
    def fib_loop(n):
        a, b = 0, 1
        k = 0
        while k < n:
            a, b = b, a + b
            k += 1
        return a

    # pyaot: overflowcheck=False
    #export wrapping(int, int)
    def wrapping(a, b):
        return a * b, a + b
''')


@pytest.fixture(scope="module")
def overflow_mod(tmp_path_factory):
    d = tmp_path_factory.mktemp("overflow")
    src = d / "overflow_mod.py"
    src.write_text(OVERFLOW)
    return load_module("overflow_mod", build(src, d))


def test_int_overflow_raises_instead_of_wrapping(overflow_mod):
    """CPython's ints grow; pyaot's are int64 and raise OverflowError rather than wrap."""
    m = overflow_mod
    assert m.factorial(20) == 2432902008176640000
    assert "does not fit in int64" in raises(OverflowError, m.factorial, 21)
    big = 2**63 - 1
    assert m.ops(big - 1, 1) == (big, big - 2, big - 1)
    for a, b in [(big, 1), (-big, 2), (2**32, 2**31)]:
        raises(OverflowError, m.ops, a, b)
    assert m.unary(-big) == (big, big)
    raises(OverflowError, m.unary, -(2**63))
    assert m.shifted(1, 62) == 2**62 and m.shifted(-1, 63) == -(2**63) and m.shifted(0, 100) == 0
    for a, b in [(1, 63), (3, 62), (1, 64), (-3, 62)]:
        raises(OverflowError, m.shifted, a, b)
    assert m.power(3, 39) == 3**39 and m.power(-2, 63) == -(2**63) and m.power(1, 2**62) == 1
    for a, b in [(3, 40), (2, 63), (10, 19)]:
        raises(OverflowError, m.power, a, b)
    assert m.floordiv(-(2**63), 1) == -(2**63)
    raises(OverflowError, m.floordiv, -(2**63), -1)
    assert m.total(np.array([big, -1, -big], dtype=np.int64)) == -1
    raises(OverflowError, m.total, np.array([big, 1, -big], dtype=np.int64))
    # Recursive functions that fail by escape raise at their entry (the body stays pure to
    # LLVM); every spelling gives the same. (fib itself overflows only past n = 92, too slow to
    # reach recursively; the doublings overflow at 63. The loop computes fib(n + 1) too.)
    assert m.fib(30) == m.fib_helper(30) == m.fib_loop(30) == 832040
    assert m.fib_loop(91) == 4660046610375530309
    raises(OverflowError, m.fib_loop, 92)
    assert m.doubling(62) == m.doubling_helper(62) == 2**62
    raises(OverflowError, m.doubling, 63)
    raises(OverflowError, m.doubling_helper, 63)
    # `# pyaot: overflowcheck=False`: int64 arithmetic wraps.
    assert m.wrapping(2**62, 4) == (0, 2**62 + 4)
    assert m.wrapping(big, 1)[1] == -(2**63)
