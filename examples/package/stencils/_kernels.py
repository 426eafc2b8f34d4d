"""The package's kernels: plain Python, compiled by pyaot when the package is installed."""
import numpy as np


#export smooth(float64[:], int)
def smooth(a, steps):
    """Averages each inner point with its neighbours, `steps` times; returns a new array."""
    u = a.copy()
    v = np.empty_like(u)
    for _ in range(steps):
        v[0] = u[0]
        v[-1] = u[-1]
        for i in range(1, u.shape[0] - 1):
            v[i] = (u[i - 1] + u[i] + u[i + 1]) / 3.0
        u, v = v, u
    return u
