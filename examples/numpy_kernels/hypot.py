"""Element-wise magnitude of 2-D vectors stored as two arrays."""
import numpy as np


#pythran export hypot(float64[:], float64[:])
def hypot(x, y):
    return np.sqrt(x * x + y * y)
