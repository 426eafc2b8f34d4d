"""Clip to a range and rescale: numpy functions of arrays and numbers."""
import numpy as np


#pythran export clip(float64[:], float, float)
def clip(a, lo, hi):
    return (np.minimum(np.maximum(a, lo), hi) - lo) / (hi - lo)
