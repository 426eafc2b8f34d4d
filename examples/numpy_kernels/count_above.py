"""How many values exceed a threshold, and their mean: reductions of comparisons."""
import numpy as np


#pythran export count_above(float64[:], float)
def count_above(a, t):
    n = np.sum(a > t)
    return n, np.mean(a)
