"""The kernels of examples/bench.py and their arguments (examples/kernels/NAME.py exports NAME),
shared by the benchmarks that time them (bench.py, bench_overflow.py)."""
import numpy as np

rng = np.random.default_rng(7)


def nbody_args():
    pos = rng.random((200, 3))
    return (pos, np.zeros((200, 3)), np.full(200, 1.0 / 200), 3, 0.01)


CASES = {
    "root_sum": lambda: (2_000_000,),
    "scale2d": lambda: (rng.random((1000, 1000)), 1.5),
    "homopolymer": lambda: (rng.integers(0, 4, 2_000_000, dtype=np.uint8), 10),
    "fib": lambda: (25,),
    "nbody": nbody_args,
    "floyd": lambda: (rng.random((120, 120)) * 10,),
    "histogram": lambda: (rng.random(500_000), 100),
    "mandelbrot": lambda: (200, 150, 100),
    "pairwise": lambda: (rng.random((300, 3)),),
    "stencil": lambda: (rng.random((500, 500)),),
    "matmul": lambda: (rng.random((120, 120)), rng.random((120, 120))),
    "bubble": lambda: (rng.random(800),),
    "reduction": lambda: (rng.random(2_000_000),),
}
