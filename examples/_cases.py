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


def grayscott_args():
    n = 256
    U = np.ones((n, n))
    V = np.zeros((n, n))
    U[n // 2 - 10:n // 2 + 10, n // 2 - 10:n // 2 + 10] = 0.5
    V[n // 2 - 10:n // 2 + 10, n // 2 - 10:n // 2 + 10] = 0.25
    return (U, V, 0.16, 0.08, 0.035, 0.065, 10)


def sphere_points(n):
    return tuple(rng.random(n) * np.pi for _ in range(4))


# numpy-style kernels (examples/numpy_kernels/NAME.py exports NAME): whole-array expressions,
# slices, broadcasting and reductions, as scientists write them for numpy.
NUMPY_CASES = {
    "axpy": lambda: (rng.random(1_000_000), rng.random(1_000_000), 2.5),
    "hypot": lambda: (rng.random(1_000_000), rng.random(1_000_000)),
    "l2norm": lambda: (rng.random(1_000_000), rng.random(1_000_000)),
    "rosenbrock": lambda: (rng.random(1_000_000),),
    "diffusion": lambda: (rng.random(200_000), 0.25, 20),
    "laplace": lambda: (rng.random((1000, 1000)),),
    "grayscott": grayscott_args,
    "normalize": lambda: (rng.random((1000, 500)), rng.random(500), rng.random(500) + 0.5),
    "clip": lambda: (rng.random(1_000_000) * 4 - 2, -1.0, 1.0),
    "pairdist": lambda: (rng.random(1000),),
    "arc_distance": lambda: sphere_points(200_000),
    "count_above": lambda: (rng.random(1_000_000), 0.5),
    "softplus": lambda: (rng.random(200_000) * 80 - 40,),
    "kinetic": lambda: tuple(rng.random(1_000_000) for _ in range(4)),
    "leapfrog": lambda: (rng.random(100_000), rng.random(100_000), 0.01, 10),
    "rownorm": lambda: (rng.random((2000, 300)),),
}
