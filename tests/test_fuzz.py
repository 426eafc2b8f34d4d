"""Differential fuzzing: random typed programs (tests/fuzz_gen.py) compiled by pyaot and run
under CPython on the same arguments (zero, negative, huge, NaN, infinities) must agree: same
values, or the same exception type. A fixed, seeded number runs here (PYAOT_FUZZ_PROGRAMS
changes it, PYAOT_FUZZ_SEED the seed); a mismatch fails with a minimised reproducer."""
import importlib
import math
import os
import random
import sys
import textwrap

import pytest

import fuzz_gen
from conftest import build, load_module

PROGRAMS = int(os.environ.get("PYAOT_FUZZ_PROGRAMS", "240"))
SEED = int(os.environ.get("PYAOT_FUZZ_SEED", "20261203"))
PER_MODULE = 40
CALLS_PER_PROGRAM = 6


def outcome(fn, args):
    try:
        return ("value", fn(*args))
    except fuzz_gen.Documented as e:
        return ("documented", str(e))
    except Exception as e:  # the exception type is what is compared
        return ("raised", type(e).__name__)


def agrees(expected, got) -> bool:
    if expected[0] == "documented":
        return True
    if expected[0] != got[0]:
        return False
    if expected[0] == "raised":
        return expected[1] == got[1]
    return fuzz_gen.same(expected[1], got[1])


def compile_batch(tmp_path, tag, programs):
    """Builds the programs into one module and imports it with its checked reference."""
    src = tmp_path / f"fz_{tag}.py"
    src.write_text(fuzz_gen.HEADER + "".join(fuzz_gen.render(d, False, name) for name, d, _ in programs))
    ref = tmp_path / f"fz_{tag}_ref.py"
    ref.write_text(fuzz_gen.CHECKED_HEADER + "".join(fuzz_gen.render(d, True, name) for name, d, _ in programs))
    compiled = load_module(f"fz_{tag}", build(src, tmp_path))
    reference = load_module(f"fz_{tag}_ref", ref)
    return compiled, reference


def mismatch(tmp_path, name, defs, args, tag):
    """The outcomes when the program still disagrees, else None."""
    try:
        compiled, reference = compile_batch(tmp_path, tag, [(name, defs, None)])
    except BaseException:  # the reduced program no longer builds: not a reproducer
        return None
    expected = outcome(getattr(reference, name), args)
    got = outcome(getattr(compiled, name), args)
    return None if agrees(expected, got) else (expected, got)


def minimise(tmp_path, name, defs, args, seen):
    """Drops statements of the exported function (not the first assignments of its locals) one
    at a time, keeping each drop after which the outcomes are still `seen`."""
    counter = iter(range(10**6))
    fname, names, params, body, result = defs[-1]

    def with_body(b):
        return defs[:-1] + [(fname, names, params, b, result)]

    current = list(body)
    i = 0
    while i < len(current):
        trial = current[:i] + current[i + 1:]
        if current[i][0] != "init" and mismatch(tmp_path, name, with_body(trial), args, f"min{next(counter)}") == seen:
            current = trial
        else:
            i += 1
    return with_body(current)


def test_random_scalar_programs_agree_with_cpython(tmp_path):
    rng = random.Random(SEED)
    failures = []
    compared = documented = 0
    for batch in range(0, PROGRAMS, PER_MODULE):
        programs = []
        for k in range(batch, min(batch + PER_MODULE, PROGRAMS)):
            name = f"p{k}"
            defs, params = fuzz_gen.scalar_program(rng.randrange(2**32), name)
            programs.append((name, defs, params))
        compiled, reference = compile_batch(tmp_path, f"b{batch}", programs)
        for name, defs, params in programs:
            for _ in range(CALLS_PER_PROGRAM):
                args = fuzz_gen.arguments(rng, params)
                expected = outcome(getattr(reference, name), args)
                got = outcome(getattr(compiled, name), args)
                if expected[0] == "documented":
                    documented += 1
                    continue
                compared += 1
                if not agrees(expected, got):
                    failures.append((name, defs, args, expected, got))
                    break
    if failures:
        name, defs, args, expected, got = failures[0]
        small = minimise(tmp_path, name, defs, args, (expected, got))
        source = fuzz_gen.HEADER + fuzz_gen.render(small, False, name)
        pytest.fail(f"{len(failures)} of {PROGRAMS} programs disagree with CPython. The first, minimised:\n\n"
                    f"{source}\n# {name}{tuple(args)!r}: CPython {expected}, pyaot {got}", pytrace=False)
    assert compared > PROGRAMS, (compared, documented)


ARRAY_PROGRAMS = int(os.environ.get("PYAOT_FUZZ_ARRAY_PROGRAMS", "120"))


def array_outcome(fn, args):
    """(outcome, arguments after the call): what a function stored is behaviour too."""
    import numpy as np
    args = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    return outcome(fn, args), args


def same_values(a, b, approx) -> bool:
    import numpy as np
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (type(a) is type(b) and a.shape == b.shape and a.dtype == b.dtype
                and (np.allclose(a, b, rtol=1e-12, atol=0, equal_nan=True) if approx else np.array_equal(a, b, equal_nan=True)))
    if isinstance(a, np.generic):
        a = a.item()
    if isinstance(b, np.generic):
        b = b.item()
    if approx and type(a) is float and type(b) is float and not (math.isnan(a) or math.isnan(b)):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-300)
    return fuzz_gen.same(a, b)


def test_random_array_programs_agree_with_cpython(tmp_path):
    """Element reads and stores at computed indices (IndexError included, stores before it
    kept), 2-D loops, searches, branches, slices, parallel loops and reductions."""
    import numpy as np
    rng = random.Random(SEED + 1)
    failures = []
    for batch in range(0, ARRAY_PROGRAMS, PER_MODULE):
        programs = [(f"q{k}",) + fuzz_gen.array_program(rng.randrange(2**32), f"q{k}") for k in range(batch, min(batch + PER_MODULE, ARRAY_PROGRAMS))]
        src = tmp_path / f"fa_{batch}.py"
        src.write_text("import math\nimport numpy as np\n\n" + "".join(p[1] for p in programs))
        ref = tmp_path / f"fa_{batch}_ref.py"
        ref.write_text("import math\nimport numpy as np\nfrom fuzz_gen import _c, _hypot, _pow\n\n" + "".join(p[2] for p in programs))
        compiled = load_module(f"fa_{batch}", build(src, tmp_path))
        reference = load_module(f"fa_{batch}_ref", ref)
        for name, source, _, kind, approx in programs:
            for _ in range(CALLS_PER_PROGRAM):
                args = fuzz_gen.array_arguments(rng, kind)
                with np.errstate(all="ignore"):
                    (expected, after_ref) = array_outcome(getattr(reference, name), args)
                got, after = array_outcome(getattr(compiled, name), args)
                if expected[0] == "documented":
                    continue
                parallel = "#omp" in source
                ok = expected[0] == got[0] and (
                    expected[1] == got[1] if expected[0] == "raised" else same_values(expected[1], got[1], approx))
                # After a raise in a parallel loop, other threads' stores are up to the threads.
                if ok and not (parallel and expected[0] == "raised"):
                    ok = all(same_values(p, q, approx) for p, q in zip(after_ref, after))
                if not ok:
                    failures.append((source, args, expected, got, after_ref, after))
                    break
    if failures:
        source, args, expected, got, after_ref, after = failures[0]
        pytest.fail(f"{len(failures)} of {ARRAY_PROGRAMS} array programs disagree with CPython. The first:\n\n{source}\n"
                    f"# arguments {args!r}\n# CPython {expected}, arguments after {after_ref!r}\n# pyaot {got}, arguments after {after!r}",
                    pytrace=False)
