"""Differential tests: every `#run: <expr>` line of tests/cases/*.py is evaluated under CPython
(the file imported as plain Python) and against the pyaot-compiled module, and must agree:
same result type and value (NaN equals NaN, -0.0 differs from 0.0), or the same exception type;
when the line is a call, the arguments are compared after it too (arrays the call mutated).
numpy scalars count as the Python scalars they hold: compiled code returns Python ints and floats."""
import ast
import math
import re
from pathlib import Path

import pytest

from conftest import ROOT, build, load_module

# tests/pythran: files written for Pythran (exports as Pythran spells them, some in a side
# `.pythran` file), built unchanged.
CASES = sorted((ROOT / "tests" / "cases").glob("*.py")) + sorted((ROOT / "tests" / "pythran").glob("*.py"))
# `#run: expr` must agree exactly; `#run~: expr` allows floats 1e-12 apart (parallel float
# reductions add in another order).
RUN_LINE = re.compile(r"^#run(~?):\s*(.+?)\s*$")


def run_lines(path: Path):
    return [(m.group(2), m.group(1) == "~") for line in path.read_text().splitlines() if (m := RUN_LINE.match(line))]


PARAMS = [pytest.param(case, expr, approx, id=f"{case.stem}: {expr}") for case in CASES for expr, approx in run_lines(case)]


@pytest.fixture(scope="session")
def modules(tmp_path_factory):
    """Builds each case once per session: {case: (python module, compiled module)}."""
    cache = {}

    def get(case: Path):
        if case not in cache:
            out_dir = tmp_path_factory.mktemp(case.stem)
            so = build(case, out_dir)
            compiled = load_module(case.stem, so)
            plain = load_module(f"plain_{case.stem}", case)
            cache[case] = (plain, compiled)
        return cache[case]

    return get


def plain(x):
    """numpy scalars as Python scalars (compiled code returns Python ints, floats and bools)."""
    import numpy as np
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, tuple):
        return tuple(plain(i) for i in x)
    return x


def same(a, b, approx=False) -> bool:
    import numpy as np
    a, b = plain(a), plain(b)
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if approx and type(a) is type(b) and a.dtype == b.dtype and a.shape == b.shape and a.dtype.kind in "fc":
            return bool(np.allclose(a, b, rtol=1e-12, atol=0, equal_nan=True))
        return (type(a) is type(b) and a.dtype == b.dtype and a.shape == b.shape
                and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, list):
        return type(b) is list and len(a) == len(b) and all(same(x, y, approx) for x, y in zip(a, b))
    if type(a) is not type(b):
        return False
    if isinstance(a, tuple):
        return len(a) == len(b) and all(same(x, y, approx) for x, y in zip(a, b))
    if isinstance(a, float):
        if math.isnan(a):
            return math.isnan(b)
        if approx:
            return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-300)
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    if isinstance(a, BaseException):
        return same(a.args, b.args, approx)
    return a == b


def outcome(namespace, expr):
    """("value", (result, arguments after the call)) or ("raised", (exception type, arguments
    after the call)): what a function stored before it raised is behaviour too."""
    tree = ast.parse(expr, mode="eval").body
    args = []
    try:
        if isinstance(tree, ast.Call) and not tree.keywords:
            func = eval(compile(ast.Expression(tree.func), "<run>", "eval"), namespace)
            args = [eval(compile(ast.Expression(a), "<run>", "eval"), namespace) for a in tree.args]
            result = func(*args)
            return ("value", (result, args))
        return ("value", (eval(expr, namespace), []))
    except Exception as e:  # the exception type is part of the behaviour under test
        return ("raised", (type(e), args))


def test_every_case_has_runs():
    assert CASES, "no differential cases found"
    for case in CASES:
        assert run_lines(case), f"{case.name} has no #run: lines"


@pytest.mark.parametrize("case,expr,approx", PARAMS)
def test_agrees_with_cpython(modules, case, expr, approx):
    plain, compiled = modules(case)
    expected = outcome(vars(plain), expr)
    # The compiled module's exports, with the plain module's imports (np) and helpers around them.
    got = outcome({**vars(plain), **vars(compiled)}, expr)
    if expected[0] == "raised":
        assert got[0] == "raised" and got[1][0] == expected[1][0], f"CPython raised {expected[1][0].__name__}, pyaot gave {got}"
        assert same(expected[1][1], got[1][1], approx), f"arguments after the exception differ: CPython {expected[1][1]!r}, pyaot {got[1][1]!r}"
    else:
        assert got[0] == "value", f"CPython returned {expected[1][0]!r}, pyaot raised {got[1][0].__name__}"
        assert same(expected[1][0], got[1][0], approx), f"CPython returned {expected[1][0]!r}, pyaot returned {got[1][0]!r}"
        assert same(expected[1][1], got[1][1], approx), f"arguments after the call differ: CPython {expected[1][1]!r}, pyaot {got[1][1]!r}"
