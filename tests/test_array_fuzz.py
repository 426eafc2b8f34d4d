"""Differential fuzzing of whole-array expressions: random element-wise expressions over arrays
of random dtypes (bool, int8…int64, float32, float64), ndims and shapes (broadcasting or not,
empty), with Python numbers, numpy functions (`np.where` and `np.clip` too), `.astype`, comparisons, `None` axes, views, stores into
views and reductions (`np.sum`, `.max()`, `np.mean`, `np.any`, …, whole or along an axis), on
C- and column-major data, compiled by pyaot and run by numpy on the same arguments. Results must agree exactly
(dtype, shape, values, NaN for NaN), or raise the same exception type; arguments the function
mutates must agree after it. A fixed, seeded number of programs runs here
(PYAOT_ARRAY_FUZZ_PROGRAMS changes it, PYAOT_ARRAY_FUZZ_SEED the seed)."""
import os
import random
import warnings

import numpy as np
import pytest

from conftest import build, load_module

PROGRAMS = int(os.environ.get("PYAOT_ARRAY_FUZZ_PROGRAMS", "160"))
SEED = int(os.environ.get("PYAOT_ARRAY_FUZZ_SEED", "20261203"))
PER_MODULE = 40
CALLS = 4

DTYPES = ["bool", "int8", "int16", "int32", "int64", "float32", "float64"]
ARITH = ["+", "-", "*", "/", "//", "%"]
BITS = ["&", "|", "^"]
COMPARE = ["<", "<=", ">", ">=", "==", "!="]
# numpy functions whose float32 results are correctly rounded (so numpy's float32 loops and
# pyaot's float64-then-round agree to the bit); the others on float64 only.
UFUNCS_ANY = ["np.sqrt", "np.abs", "np.floor", "np.isnan", "np.square"]
TERNARY = ["np.where({0} > 0, {1}, {2})", "np.clip({0}, {1}, {2})"]
UFUNCS_F64 = ["np.exp", "np.log1p", "np.sin", "np.arctan"]
BINARY_UFUNCS = ["np.minimum", "np.maximum", "np.fmax", "np.hypot"]
REDUCTIONS = ["np.sum({})", "({}).sum()", "np.mean({})", "np.max({})", "({}).min()", "np.any({})",
              "({}).all()", "np.argmax({})", "({}).argmin()"]
# Along an axis (of 2-D expressions): axis 0, 1 or -1.
AXIS_REDUCTIONS = ["np.sum({}, axis={})", "({}).sum({})", "np.mean({}, axis={})", "np.max({}, axis={})",
                   "({}).min(axis={})", "np.any({}, axis={})", "({}).all({})"]


class Gen:
    def __init__(self, rng):
        self.r = rng

    def params(self):
        n = self.r.randint(1, 3)
        out = []
        for i in range(n):
            out.append((f"a{i}", self.r.choice(DTYPES), self.r.choice([1, 1, 2])))
        return out

    def array_leaf(self, params):
        """(text, ndim) of an array operand: a parameter or a view of one."""
        r = self.r
        name, _, ndim = r.choice(params)
        if ndim == 1 and r.random() < 0.2:
            return r.choice([(f"{name}[::-1]", 1), (f"{name}[:, None]", 2), (f"{name}[None, :]", 2)])
        if ndim == 2 and r.random() < 0.2:
            return r.choice([(f"{name}.T", 2), (f"{name}[0]", 1), (f"{name}[:, 0]", 1)])
        return name, ndim

    def number(self):
        r = self.r
        if r.random() < 0.6:
            return r.choice(["2", "3", "-1", "0", "7", "100"]), 0
        return r.choice(["0.5", "-2.25", "3.0", "0.0", "1e300"]), 0

    def expr(self, params, depth=0):
        """(text, ndim) of an expression with at least one array in it (never numbers alone,
        whose errors are Python's, not numpy's)."""
        r = self.r
        if depth >= 3 or r.random() < 0.3:
            return self.array_leaf(params)
        a, na = self.expr(params, depth + 1)
        other = lambda: self.expr(params, depth + 1) if r.random() < 0.6 else self.number()
        k = r.random()
        if k < 0.45 or k >= 0.93:
            b, nb = other()
            if r.random() < 0.5:
                a, b = b, a
                na, nb = nb, na
            n = max(na, nb)
            if k < 0.45:
                return f"({a} {r.choice(ARITH + ARITH + BITS + COMPARE)} {b})", n
            return f"{r.choice(BINARY_UFUNCS)}({a}, {b})", n
        if k < 0.56:
            return f"({a}).astype(np.{r.choice(DTYPES)})", na
        if k < 0.6:
            return f"(-{a})", na
        if k < 0.65:
            return f"(~{a})", na
        if k < 0.78:
            return f"{r.choice(UFUNCS_ANY)}({a})", na
        if k < 0.85:
            (b, nb), (c, nc) = other(), other()
            return r.choice(TERNARY).format(a, b, c), max(na, nb, nc)
        # numpy's float32 exp/sin/… may differ from pyaot's (float64, rounded) in the last bit
        # (docs/language.md): those functions take float64, int32 and int64 arrays only.
        wide = [(p, nd) for p, d, nd in params if d in ("float64", "int32", "int64")]
        if not wide:
            return f"{r.choice(UFUNCS_ANY)}({a})", na
        p, nd = r.choice(wide)
        return f"{r.choice(UFUNCS_F64)}({p})", nd

    def program(self, name):
        params = self.params()
        spec = ", ".join(f"{d}[{', '.join([':'] * nd)}]" for _, d, nd in params)
        args = ", ".join(p for p, _, _ in params)
        e, ne = self.expr(params)
        form = self.r.random()
        if form < 0.45:
            body = f"    return {e}\n"
        elif form < 0.65:
            if ne == 2 and self.r.random() < 0.5:
                reduction = self.r.choice(AXIS_REDUCTIONS)
                body = f"    return {reduction.format(e, self.r.choice([0, 1, -1]))}\n"
            else:
                reduction = self.r.choice(REDUCTIONS)
                body = f"    return {reduction.format(e)}\n"
        else:
            target, _, ndim = self.r.choice(params)
            views = ([(f"{target}[:]", 1), (f"{target}[1:]", 1), (f"{target}[::2]", 1)] if ndim == 1
                     else [(f"{target}[:]", 2), (f"{target}[1:, :]", 2), (f"{target}[:, 0]", 1), (f"{target}[0]", 1)])
            view, nv = self.r.choice(views)
            while ne > nv:
                e, ne = self.expr(params, 2)
            op = self.r.choice(["=", "=", "+=", "*="]) if "float64" in spec else "="
            if op != "=" and dict((p, d) for p, d, _ in params)[target] != "float64":
                op = "="
            body = f"    {view} {op} {e}\n    return {target}\n"
        src = f"#export {name}({spec})\ndef {name}({args}):\n{body}\n\n"
        return src, params

    def value(self, dtype, shape):
        r = self.r
        if dtype == "bool":
            return np.array([r.random() < 0.5 for _ in range(int(np.prod(shape)))], dtype=bool).reshape(shape)
        if dtype.startswith("int"):
            vals = [r.choice([0, 1, -1, 2, 3, -7, 100, -128, 127]) for _ in range(int(np.prod(shape)))]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return np.array(vals).astype(dtype).reshape(shape)
        vals = [r.choice([0.0, -0.0, 1.5, -2.0, 0.25, 1e10, float("nan"), float("inf"), 3.0]) for _ in range(int(np.prod(shape)))]
        return np.array(vals, dtype=dtype).reshape(shape)

    def arguments(self, params):
        r = self.r
        n = r.choice([0, 1, 3, 4])
        m = r.choice([1, 2, 3])
        out = []
        for _, dtype, ndim in params:
            if ndim == 1:
                shape = (r.choice([n, n, 1, 2]),)
            else:
                shape = (r.choice([m, m, 1]), r.choice([n, n, 1]))
            v = self.value(dtype, shape)
            # Column-major data too: numpy's sums follow memory order.
            out.append(np.asfortranarray(v) if ndim == 2 and r.random() < 0.3 else v)
        return out


# The pyaot module's own functions may refuse what numpy refuses at compile time (an int
# array's in-place update by floats): such programs are not generated (no `+=` here).
HEADER = "import numpy as np\n\n\n"


def outcome(fn, args):
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ("value", fn(*args), args)
    except Exception as e:  # the exception type is what is compared
        return ("raised", type(e).__name__, args)


def same(a, b):
    # Compiled functions return Python scalars where numpy gives numpy scalars.
    a = a.item() if isinstance(a, np.generic) else a
    b = b.item() if isinstance(b, np.generic) else b
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
            return False
        return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and (a == b or (a != a and b != b))


def batches():
    rng = random.Random(SEED)
    gen = Gen(rng)
    programs = []
    for i in range(PROGRAMS):
        src, params = gen.program(f"p{i}")
        calls = [gen.arguments(params) for _ in range(CALLS)]
        programs.append((f"p{i}", src, calls))
    return [programs[i:i + PER_MODULE] for i in range(0, len(programs), PER_MODULE)]


@pytest.mark.parametrize("batch", range((PROGRAMS + PER_MODULE - 1) // PER_MODULE))
def test_array_expressions_agree_with_numpy(tmp_path, batch):
    programs = batches()[batch]
    src = tmp_path / f"afz{batch}.py"
    src.write_text(HEADER + "".join(p[1] for p in programs))
    compiled = load_module(f"afz{batch}", build(src, tmp_path))
    reference = load_module(f"afz{batch}_ref", src)
    failures = []
    for name, text, calls in programs:
        for args in calls:
            expected = outcome(getattr(reference, name), [a.copy() for a in args])
            got = outcome(getattr(compiled, name), [a.copy() for a in args])
            ok = expected[0] == got[0] and (
                expected[1] == got[1] if expected[0] == "raised" else same(expected[1], got[1])
            ) and same(list(expected[2]), list(got[2]))
            if not ok:
                failures.append(f"{text}args: {args!r}\nnumpy: {expected[:2]!r}\npyaot: {got[:2]!r}\n")
    assert not failures, f"{len(failures)} disagreements; first:\n" + failures[0]
