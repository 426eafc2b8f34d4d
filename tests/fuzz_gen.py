"""Random typed programs for differential fuzzing (tests/test_fuzz.py).

Each program is one exported function (with a helper or two) over ints, floats and bools: all
the operators (`// % ** << >>` included), comparisons, `if`/`while`/`for range`, `math` calls,
helper calls, tuples; and a second kind over 1-D and 2-D float arrays (element reads and
stores, loops, parallel loops). The programs keep within what docs/language.md promises to
match: every local keeps one type, ints meet floats only through `float()`, comparisons compare
like with like. The one difference left, ints beyond int64 (CPython's grow, pyaot's do not),
is detected in the reference run: there every int a program computes passes through `_c`,
which raises `Documented` past int64 (and every float power through `_pow`, which CPython computes
as a complex for a negative base), and such an input is not compared.

`render(program, checked=False)` gives the source pyaot compiles; `render(program, True)` the
reference CPython runs. Programs are deterministic functions of their seed."""
import math
import random

INT_MIN, INT_MAX = -(2**63), 2**63 - 1


class Documented(Exception):
    """The reference reached a documented difference (docs/language.md): an int beyond int64
    (pyaot's ints stop there), a complex result of a float power (pyaot raises ValueError)."""


def _c(v):
    if type(v) is int and not INT_MIN <= v <= INT_MAX:
        raise Documented(f"int beyond int64: {v}")
    return v


def _hypot(x, y):
    """math.hypot as pyaot computes it: the C library's hypot (docs/language.md: CPython's own
    algorithm can differ in the last bit); CPython's errors for infinite results."""
    import ctypes
    import ctypes.util
    libm = ctypes.CDLL(ctypes.util.find_library("m"))
    libm.hypot.restype = ctypes.c_double
    libm.hypot.argtypes = [ctypes.c_double, ctypes.c_double]
    r = libm.hypot(x, y)
    if math.isinf(r) and math.isfinite(x) and math.isfinite(y):
        raise OverflowError("math range error")
    return r


def _pow(a, b):
    if a < 0 and math.isfinite(a) and math.isfinite(b) and b != int(b):
        raise Documented(f"negative float to a fractional power: {a} ** {b}")
    # Literal exponents pyaot computes exactly (docs/language.md): x * x, 1 / x, a square root,
    # where the C library's pow that CPython calls can be a unit in the last place off.
    if type(a) is float and b in (2, -1) and a != 0:
        r = a * a if b == 2 else 1.0 / a
        if math.isinf(r) and math.isfinite(a):
            raise OverflowError("(34, 'Numerical result out of range')")
        return r
    if type(a) is float and b == 0.5 and a == a:
        return math.inf if a == -math.inf else abs(math.sqrt(a)) if a >= 0 or a == 0 else a ** b
    return a ** b


INT_ARGS = [0, 1, -1, 2, 3, 7, -13, 100, 2**31, -(2**31), 2**53 + 1, 2**62, INT_MAX, INT_MIN, 12345678901]
FLOAT_ARGS = [0.0, -0.0, 1.0, -1.5, 2.25, 0.1, 1e300, -1e-300, 5e-324, 1e16, float("nan"), float("inf"), float("-inf"), 3.75]
MATH1 = ["sqrt", "exp", "log", "sin", "cos", "tan", "atan", "fabs", "log1p", "expm1", "tanh", "asin", "acos", "log10", "log2", "cosh", "sinh"]
MATH2 = ["atan2", "hypot", "copysign", "fmod", "pow"]


class Gen:
    """Expression and statement generator for one function."""

    def __init__(self, rng: random.Random, helpers, depth_limit=3):
        self.rng = rng
        self.helpers = helpers  # [(name, [param types], result type)]
        self.depth_limit = depth_limit
        self.vars = {"int": [], "float": [], "bool": []}

    def var(self, t):
        return self.rng.choice(self.vars[t]) if self.vars[t] else None

    def expr(self, t, depth=0, checked=False):
        """A random expression of type t as a tree: ("op", ...) tuples rendered later."""
        r = self.rng
        leaf = depth >= self.depth_limit or r.random() < 0.3
        if t == "int":
            if leaf:
                v = self.var("int")
                if v and r.random() < 0.7:
                    return ("name", v)
                return ("const", repr(r.choice([0, 1, 2, 3, 5, -1, -7, 10, 63, 64, 1000, 2**40, 2**62, INT_MAX])))
            k = r.randrange(12)
            if k < 5:
                op = r.choice(["+", "-", "*", "//", "%", "&", "|", "^"])
                return ("int", op, self.expr("int", depth + 1), self.expr("int", depth + 1))
            if k == 5:
                return ("int", "**", self.expr("int", depth + 1), ("const", str(r.randrange(0, 4))))
            if k == 6:
                op = r.choice(["<<", ">>"])
                return ("int", op, self.expr("int", depth + 1), ("call", "min", [("call", "abs", [self.expr("int", depth + 1)]), ("const", "70")]))
            if k == 7:
                return ("unary_int", r.choice(["-", "abs", "~"]), self.expr("int", depth + 1))
            if k == 8:
                return ("call", r.choice(["int", "round", "math.floor", "math.ceil", "math.trunc"]), [self.expr("float", depth + 1)])
            if k == 9:
                return ("ifexp", self.expr("bool", depth + 1), self.expr("int", depth + 1), self.expr("int", depth + 1))
            if k == 10:
                return ("call", r.choice(["min", "max"]), [self.expr("int", depth + 1), self.expr("int", depth + 1)])
            return self.helper_call("int", depth) or ("index", ("call", "divmod", [self.expr("int", depth + 1), self.expr("int", depth + 1)]), r.randrange(2))
        if t == "float":
            if leaf:
                v = self.var("float")
                if v and r.random() < 0.7:
                    return ("name", v)
                return ("const", repr(r.choice([0.0, -0.0, 0.5, 1.0, 2.0, -3.25, 1e-3, 1e10, 1e300, 0.1])))
            k = r.randrange(11)
            if k < 4:
                op = r.choice(["+", "-", "*", "/", "//", "%", "+", "*"])
                return ("bin", op, self.expr("float", depth + 1), self.expr("float", depth + 1))
            if k == 4:
                return ("bin", "**", self.expr("float", depth + 1), ("const", r.choice(["2", "0.5", "3", "-1", "2.5"])))
            if k == 5:
                return ("call", "math." + r.choice(MATH1), [self.expr("float", depth + 1)])
            if k == 6:
                return ("call", "math." + r.choice(MATH2), [self.expr("float", depth + 1), self.expr("float", depth + 1)])
            if k == 7:
                return ("call", "float", [self.expr("int", depth + 1)])
            if k == 8:
                return ("bin", r.choice(["/", "*", "+"]), ("call", "float", [self.expr("int", depth + 1)]), self.expr("float", depth + 1))
            if k == 9:
                return ("ifexp", self.expr("bool", depth + 1), self.expr("float", depth + 1), self.expr("float", depth + 1))
            return self.helper_call("float", depth) or ("call", "round", [self.expr("float", depth + 1), ("const", str(r.randrange(-3, 4)))])
        # bool
        if leaf:
            v = self.var("bool")
            if v and r.random() < 0.6:
                return ("name", v)
            return ("const", r.choice(["True", "False"]))
        k = r.randrange(6)
        if k < 2:
            return ("cmp", r.choice(["<", "<=", "==", "!=", ">", ">="]), self.expr("int", depth + 1), self.expr("int", depth + 1))
        if k == 2:
            return ("cmp", r.choice(["<", "<=", "==", "!=", ">", ">="]), self.expr("float", depth + 1), self.expr("float", depth + 1))
        if k == 3:
            return ("not", self.expr("bool", depth + 1))
        if k == 4:
            return ("boolop", r.choice(["and", "or"]), self.expr("bool", depth + 1), self.expr("bool", depth + 1))
        return ("call", r.choice(["math.isnan", "math.isinf", "math.isfinite"]), [self.expr("float", depth + 1)])

    def helper_call(self, t, depth):
        options = [h for h in self.helpers if h[2] == t]
        if not options:
            return None
        name, params, _ = self.rng.choice(options)
        return ("call", name, [self.expr(p, depth + 1) for p in params])


def render_expr(e, checked):
    kind = e[0]
    wrap = (lambda s: f"_c({s})") if checked else (lambda s: s)
    if kind == "name":
        return e[1]
    if kind == "const":
        # Parenthesized when negative: `-3.25 ** 2` is -(3.25 ** 2), `_pow(-3.25, 2)` is not.
        return f"({e[1]})" if e[1].startswith("-") else e[1]
    if kind == "int":
        return wrap(f"({render_expr(e[2], checked)} {e[1]} {render_expr(e[3], checked)})")
    if kind == "bin":
        if checked and e[1] == "**":
            return f"_pow({render_expr(e[2], checked)}, {render_expr(e[3], checked)})"
        return f"({render_expr(e[2], checked)} {e[1]} {render_expr(e[3], checked)})"
    if kind == "unary_int":
        inner = render_expr(e[2], checked)
        return wrap(f"abs({inner})" if e[1] == "abs" else f"({e[1]}{inner})")
    if kind == "call":
        args = ", ".join(render_expr(a, checked) for a in e[2])
        name = "_hypot" if checked and e[1] == "math.hypot" else e[1]
        text = f"{name}({args})"
        return wrap(text) if e[1] in ("int", "round", "math.floor", "math.ceil", "math.trunc", "abs", "min", "max") else text
    if kind == "index":
        return f"{render_expr(e[1], checked)}[{e[2]}]"
    if kind == "ifexp":
        return f"({render_expr(e[2], checked)} if {render_expr(e[1], checked)} else {render_expr(e[3], checked)})"
    if kind == "cmp":
        return f"({render_expr(e[2], checked)} {e[1]} {render_expr(e[3], checked)})"
    if kind == "not":
        return f"(not {render_expr(e[1], checked)})"
    if kind == "boolop":
        return f"({render_expr(e[2], checked)} {e[1]} {render_expr(e[3], checked)})"
    raise ValueError(kind)


def statements(g: Gen, n, depth=0, in_loop=False):
    """A list of statement trees over the function's locals (all assigned at its top)."""
    r = g.rng
    out = []
    for _ in range(n):
        k = r.randrange(10)
        t = r.choice(["int", "float", "bool"])
        if k < 4:
            out.append(("assign", g.var(t), g.expr(t)))
        elif k < 6 and t != "bool":
            op = r.choice(["+=", "-=", "*="] + (["//=", "%=", "&=", "^="] if t == "int" else ["/="]))
            out.append(("aug", g.var(t), op, g.expr(t)))
        elif k == 6 and depth < 2:
            cond = g.expr("bool")
            then = statements(g, r.randrange(1, 3), depth + 1, in_loop)
            orelse = statements(g, r.randrange(0, 2), depth + 1, in_loop)
            out.append(("if", cond, then, orelse))
        elif k == 7 and depth < 2:
            body = statements(g, r.randrange(1, 3), depth + 1, True)
            out.append(("for", f"k{depth}", r.randrange(0, 6), body))
        elif k == 8 and depth < 2:
            body = statements(g, r.randrange(1, 3), depth + 1, True)
            out.append(("while", f"w{depth}", r.randrange(1, 5), g.expr("bool", g.depth_limit - 1), body))
        elif in_loop and r.random() < 0.3:
            out.append(("if", g.expr("bool", g.depth_limit - 1), [(r.choice(["break", "continue"]),)], []))
        else:
            u = r.choice(["int", "float", "bool"])
            out.append(("unpack", g.var(t), g.var(u), g.expr(t), g.expr(u)))
    return out


def render_stmts(stmts, indent, checked):
    pad = "    " * indent
    lines = []
    for s in stmts:
        kind = s[0]
        if kind in ("assign", "init"):
            lines.append(f"{pad}{s[1]} = {render_expr(s[2], checked)}")
        elif kind == "aug":
            op = s[2]
            value = render_expr(s[3], checked)
            if checked and s[1].startswith("i"):
                lines.append(f"{pad}{s[1]} = _c({s[1]} {op[:-1]} ({value}))")
            else:
                lines.append(f"{pad}{s[1]} {op} {value}")
        elif kind == "unpack":
            if s[1] == s[2]:
                lines.append(f"{pad}{s[1]} = {render_expr(s[4], checked)}")
            else:
                lines.append(f"{pad}{s[1]}, {s[2]} = ({render_expr(s[3], checked)}, {render_expr(s[4], checked)})")
        elif kind == "if":
            lines.append(f"{pad}if {render_expr(s[1], checked)}:")
            lines.extend(render_stmts(s[2], indent + 1, checked) or [f"{pad}    pass"])
            if s[3]:
                lines.append(f"{pad}else:")
                lines.extend(render_stmts(s[3], indent + 1, checked))
        elif kind == "for":
            lines.append(f"{pad}for {s[1]} in range({s[2]}):")
            lines.extend(render_stmts(s[3], indent + 1, checked) or [f"{pad}    pass"])
        elif kind == "while":
            lines.append(f"{pad}{s[1]} = 0")
            lines.append(f"{pad}while {s[1]} < {s[2]} and {render_expr(s[3], checked)}:")
            lines.append(f"{pad}    {s[1]} += 1")
            lines.extend(render_stmts(s[4], indent + 1, checked))
        elif kind in ("break", "continue"):
            lines.append(f"{pad}{kind}")
        else:
            raise ValueError(kind)
    return lines


def scalar_program(seed: int, name: str):
    """(program, argument types): one exported function `name` and its helpers."""
    rng = random.Random(seed)
    helpers = []
    defs = []
    for h in range(rng.randrange(0, 3)):
        hname = f"{name}_h{h}"
        params = [rng.choice(["int", "float"]) for _ in range(rng.randrange(1, 3))]
        result = rng.choice(["int", "float"])
        g = Gen(rng, helpers[:], depth_limit=2)
        for i, p in enumerate(params):
            g.vars[p].append(f"p{i}")
        defs.append((hname, [f"p{i}" for i in range(len(params))], params, [], g.expr(result)))
        helpers.append((hname, params, result))
    params = [rng.choice(["int", "float", "bool"]) for _ in range(rng.randrange(1, 4))]
    g = Gen(rng, helpers)
    names = []
    for i, p in enumerate(params):
        n = f"{p[0]}{len(g.vars[p])}"
        g.vars[p].append(n)
        names.append(n)
    # Every type has two locals, the new ones assigned first (a local has one type throughout).
    body = []
    for t, zero in (("int", "1"), ("float", "0.5"), ("bool", "True")):
        while len(g.vars[t]) < 2:
            n = f"{t[0]}{len(g.vars[t])}"
            body.append(("init", n, ("const", zero)))
            g.vars[t].append(n)
    body += statements(g, rng.randrange(2, 7))
    results = [v for t in ("int", "float", "bool") for v in g.vars[t]]
    defs.append((name, names, params, body, ("tuple", results)))
    return defs, params


def render(defs, checked: bool, exported: str) -> str:
    lines = []
    for fname, names, params, body, result in defs:
        if fname == exported and not checked:
            lines.append(f"#export {fname}({', '.join(params)})")
        lines.append(f"def {fname}({', '.join(names)}):")
        lines.extend(render_stmts(body, 1, checked))
        if result[0] == "tuple":
            lines.append(f"    return ({', '.join(result[1])},)")
        else:
            lines.append(f"    return {render_expr(result, checked)}")
        lines.append("")
    return "\n".join(lines) + "\n"


def arguments(rng: random.Random, params):
    out = []
    for p in params:
        if p == "int":
            out.append(rng.choice(INT_ARGS) if rng.random() < 0.8 else rng.randint(-1000, 1000))
        elif p == "float":
            out.append(rng.choice(FLOAT_ARGS) if rng.random() < 0.8 else rng.uniform(-100, 100))
        else:
            out.append(rng.random() < 0.5)
    return out


HEADER = "import math\n\n"
CHECKED_HEADER = "import math\nfrom fuzz_gen import _c, _hypot, _pow\n\n"


def same(a, b) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float):
        if math.isnan(a):
            return math.isnan(b)
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    return a == b


# --- Programs over arrays ---------------------------------------------------------------

SAFE_OPS = ["+", "-", "*"]


def _safe_float(rng, names, depth=0):
    """A float expression that cannot raise (parallel loop bodies: which iteration fails first
    is up to the threads)."""
    if depth >= 2 or rng.random() < 0.35:
        return rng.choice(names + ["0.5", "2.0", "(-1.25)"])
    k = rng.randrange(4)
    if k < 2:
        return f"({_safe_float(rng, names, depth + 1)} {rng.choice(SAFE_OPS)} {_safe_float(rng, names, depth + 1)})"
    if k == 2:
        return f"math.fabs({_safe_float(rng, names, depth + 1)})"
    return f"({_safe_float(rng, names, depth + 1)} if {_safe_float(rng, names, depth + 1)} > {_safe_float(rng, names, depth + 1)} else {_safe_float(rng, names, depth + 1)})"


def _any_float(rng, names, checked):
    """A float expression from the scalar generator over `names` (may raise). In the
    reference an element read is a Python float, as pyaot documents (numpy's own scalars divide
    by zero without raising)."""
    g = Gen(rng, [], depth_limit=2)
    g.vars["float"] = [f"float({v})" if checked and "[" in v else v for v in names]
    g.vars["int"] = ["n", "i"] if any("[i" in v or "(i" in v for v in names) else ["n"]
    return render_expr(g.expr("float"), checked)


def array_program(seed: int, name: str):
    """(source, checked source, argument kinds): one exported function over arrays."""
    rng = random.Random(seed)
    kind = rng.randrange(9)
    params = "a, b, n, x"
    sig = "float64[:], float64[:], int, float"
    body = []
    if kind == 0:  # a reduction
        body = ["s = 0.0", "for i in range(len(a)):", "    s += {E}", "return s"]
    elif kind == 1:  # stores over a range that may leave the array
        lo, hi = rng.choice(["0", "1", "n", "-2"]), rng.choice(["len(a)", "len(a) - 1", "n", "len(b)"])
        body = [f"for i in range({lo}, {hi}):", "    a[i] = {E}", "return a"]
    elif kind == 2:  # one store at a computed index
        body = ["a[{I}] = {E}", "return a[0] if len(a) > 0 else x"]
    elif kind == 3:  # 2-D
        params, sig = "m, n, x", "float64[:, :], int, float"
        body = ["t = 0.0", "for i in range(m.shape[0]):", "    for j in range(m.shape[1]):", "        m[i, j] = {M}", "        t += m[i, j]", "return t"]
    elif kind == 4:  # a parallel loop writing its own elements
        body = ["#omp parallel for", "for i in range(len(a)):", "    a[i] = {S}", "return a"]
    elif kind == 5:  # a parallel reduction (compared within 1e-12)
        body = ["s = 0.0", "#omp parallel for reduction(+:s)", "for i in range(min(len(a), len(b))):", "    s += math.fabs({S})", "return s"]
    elif kind == 6:  # a search
        body = ["k = 0", "while k < len(a) and a[k] < x:", "    k += 1", "return k"]
    elif kind == 7:  # branches on elements
        body = ["for i in range(min(len(a), len(b))):", "    if a[i] > x:", "        b[i] = {E}", "    else:", "        a[i] = {E}", "return a[-1] if len(a) > 0 else 0.0"]
    else:  # slices
        body = ["c = a[1:-1]", "s = 0.0", "for i in range(len(c)):", "    s += c[i] * {E}", "return s"]

    def fill(checked):
        names_1d = {2: ["x", "float(n)", "a[0]"], 8: ["c[i]", "x", "float(i)"]}.get(kind, ["a[i]", "x", "float(i)"] + (["b[i]"] if kind in (0, 7) else []))
        lines = []
        for line in body:
            while "{E}" in line:
                line = line.replace("{E}", _any_float(rng_fill(checked), names_1d, checked), 1)
            line = line.replace("{S}", _safe_float(rng_fill(checked), ["a[i]", "b[i]" if kind == 5 else "x", "x"]))
            line = line.replace("{M}", _any_float(rng_fill(checked), ["m[i, j]", "x", "float(i - j)"], checked))
            line = line.replace("{I}", rng_fill(checked).choice(["n", "-n", "n % 7", "len(a) - n", "-1", "n * 3"]))
            lines.append("    " + line)
        return lines

    # The same choices for both renderings: one generator per rendering, same seed.
    fill_seed = rng.randrange(2**32)
    streams = {}

    def rng_fill(checked):
        return streams.setdefault(checked, random.Random(fill_seed))

    source = f"#export {name}({sig})\ndef {name}({params}):\n" + "\n".join(fill(False)) + "\n\n"
    checked = f"def {name}({params}):\n" + "\n".join(fill(True)) + "\n\n"
    return source, checked, ("2d" if kind == 3 else "1d"), kind == 5


def array_arguments(rng: random.Random, kind: str):
    import numpy as np

    def vector():
        size = rng.choice([0, 1, 2, 5, 17])
        v = rng.choice([np.arange(size, dtype=np.float64) * 0.5 - 1.0, np.linspace(-3.0, 3.0, size),
                        np.array([rng.choice(FLOAT_ARGS) for _ in range(size)], dtype=np.float64)])
        if rng.random() < 0.2 and size > 0:
            v = np.repeat(v, 2)[::2]  # a strided view
        return v

    n = rng.choice([0, 1, 2, 3, 5, -1, 16, 100])
    x = rng.choice([0.0, 1.0, -2.5, 0.25, float("nan"), float("inf")])
    if kind == "2d":
        rows, cols = rng.choice([0, 1, 3]), rng.choice([1, 2, 4])
        return [np.linspace(-2.0, 2.0, rows * cols).reshape(rows, cols), n, x]
    return [vector(), vector(), n, x]
