"""One Jacobi step of the 2-D Laplace equation: a 5-point stencil into a new grid."""
import numpy as np


#pythran export stencil(float64[:, :])
def stencil(u):
    n, m = u.shape
    out = np.zeros((n, m))
    for i in range(1, n - 1):
        for j in range(1, m - 1):
            out[i, j] = 0.25 * (u[i - 1, j] + u[i + 1, j] + u[i, j - 1] + u[i, j + 1])
    return out
