"""All pairwise distances between points on a line, by broadcasting a column against a row."""
import numpy as np


#pythran export pairdist(float64[:])
def pairdist(x):
    return np.abs(x[:, None] - x[None, :])
