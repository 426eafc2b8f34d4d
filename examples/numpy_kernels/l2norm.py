"""Euclidean distance between two vectors, numpy style."""
import numpy as np


#pythran export l2norm(float64[:], float64[:])
def l2norm(x, y):
    return np.sqrt(np.sum((x - y) ** 2))
