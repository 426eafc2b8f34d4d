"""Pairwise Euclidean distances between the rows of x: the classic numeric-Python benchmark."""
import math
import numpy as np


#pythran export pairwise(float64[:, :])
def pairwise(x):
    n, d = x.shape
    out = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            s = 0.0
            for k in range(d):
                t = x[i, k] - x[j, k]
                s += t * t
            out[i, j] = math.sqrt(s)
    return out
