"""Five-point Laplacian of a grid, written with slices."""
import numpy as np


#pythran export laplace(float64[:, :])
def laplace(u):
    out = np.zeros_like(u)
    out[1:-1, 1:-1] = u[:-2, 1:-1] + u[2:, 1:-1] + u[1:-1, :-2] + u[1:-1, 2:] - 4.0 * u[1:-1, 1:-1]
    return out
