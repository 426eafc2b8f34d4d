"""Every benchmark kernel in examples/kernels/ agrees with CPython on small inputs (results and
mutated arguments), so the benchmark never times a wrong answer."""
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT, build, load_module

rng = np.random.default_rng(3)
SMALL = {
    "root_sum": lambda: (1000,),
    "scale2d": lambda: (rng.random((7, 5)), 1.5),
    "homopolymer": lambda: (rng.integers(0, 4, 500, dtype=np.uint8), 6),
    "fib": lambda: (15,),
    "nbody": lambda: (rng.random((8, 3)), np.zeros((8, 3)), np.full(8, 0.125), 2, 0.01),
    "floyd": lambda: (rng.random((9, 9)) * 10,),
    "histogram": lambda: (rng.random(300), 7),
    "mandelbrot": lambda: (20, 15, 30),
    "pairwise": lambda: (rng.random((12, 3)),),
    "stencil": lambda: (rng.random((9, 11)),),
    "matmul": lambda: (rng.random((6, 4)), rng.random((4, 5))),
    "bubble": lambda: (rng.random(40),),
    "reduction": lambda: (rng.random(1000),),
}


def test_every_kernel_has_a_case():
    kernels = {p.stem for p in (ROOT / "examples" / "kernels").glob("*.py")}
    assert kernels == set(SMALL)


@pytest.mark.parametrize("name", sorted(SMALL))
def test_kernel_agrees_with_cpython(tmp_path, name):
    src = ROOT / "examples" / "kernels" / f"{name}.py"
    compiled = getattr(load_module(name, build(src, tmp_path)), name)
    plain = getattr(load_module(f"{name}_plain", src), name)
    args = SMALL[name]()
    fresh = lambda: tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)  # noqa: E731
    a1, a2 = fresh(), fresh()
    expected, got = plain(*a1), compiled(*a2)
    # Exact, except float reductions run in parallel (threads add in another order).
    if isinstance(expected, np.ndarray):
        assert np.array_equal(expected, got)
    elif isinstance(expected, float):
        assert got == pytest.approx(expected, rel=1e-12)
    else:
        assert expected == got
    for x, y in zip(a1, a2):
        if isinstance(x, np.ndarray):
            assert np.array_equal(x, y)
