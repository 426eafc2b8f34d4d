"""The numpy-style kernels' algorithms written other ways — a while loop, a helper function,
another index order, methods instead of functions, `**` instead of `*` — each must take the
same native path (element-wise nests, stores into views, reductions) and agree with CPython."""
import numpy as np


def step(u, k):
    # A helper doing one diffusion step in place (the benchmark's diffusion inlines it).
    u[1:-1] += k * (u[2:] - 2.0 * u[1:-1] + u[:-2])


#export diffusion_while(float64[:], float, int)
def diffusion_while(u, k, steps):
    n = 0
    while n < steps:
        step(u, k)
        n += 1
    return u

#run: diffusion_while(np.array([0.0, 0.0, 10.0, 0.0, 0.0, 5.0]), 0.25, 3)


#export norms_other_ways(float64[:, :])
def norms_other_ways(m):
    # Row norms: by an axis reduction, by row views, and column-first over the transpose.
    by_axis = np.sqrt((m ** 2).sum(axis=1))
    by_rows = np.empty(m.shape[0])
    i = m.shape[0] - 1
    while i >= 0:
        r = m[i]
        by_rows[i] = (r * r).sum() ** 0.5
        i -= 1
    by_columns = np.sqrt(np.sum(m.T * m.T, axis=0))
    return by_axis, by_rows, by_columns

#run: norms_other_ways(np.sin(np.arange(600.0)).reshape(20, 30))
#run: norms_other_ways(np.asfortranarray(np.sin(np.arange(600.0)).reshape(20, 30)))


def laplace_into(out, u):
    out[1:-1, 1:-1] = (u[1:-1, 2:] + u[1:-1, :-2]) + (u[2:, 1:-1] + u[:-2, 1:-1]) - 4.0 * u[1:-1, 1:-1]


#export laplace_helper(float64[:, :])
def laplace_helper(u):
    out = np.zeros_like(u)
    laplace_into(out, u)
    return out

#run: laplace_helper(np.arange(30.0).reshape(5, 6) ** 2)


#export centred(float64[:, :])
def centred(m):
    # Broadcasting with the row written as m.mean(axis=0) and as a [None, :] view.
    mu = m.mean(axis=0)
    return m - mu, m - mu[None, :], (m.T - mu[:, None]).T

#run: centred(np.arange(12.0).reshape(3, 4) ** 1.5)


#export clipped(float64[:], float, float)
def clipped(a, lo, hi):
    # The same clip three ways.
    return np.minimum(np.maximum(a, lo), hi), np.clip(a, lo, hi), np.where(a < lo, lo, np.where(a > hi, hi, a))

#run: clipped(np.array([-3.0, 0.5, 2.0, np.nan, 9.0]), -1.0, 1.0)
