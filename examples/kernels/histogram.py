"""Histogram of values in [0, 1) into `bins` bins: a scatter of increments."""
import numpy as np


#pythran export histogram(float64[:], int)
def histogram(values, bins):
    counts = np.zeros(bins, dtype=np.int64)
    for v in values:
        k = int(v * bins)
        if 0 <= k < bins:
            counts[k] += 1
    return counts
