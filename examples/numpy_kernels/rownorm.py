"""The norm of each row of a matrix, a reduction of each row view."""
import numpy as np


#pythran export rownorm(float64[:, :])
def rownorm(m):
    out = np.empty(m.shape[0])
    for i in range(m.shape[0]):
        out[i] = np.sqrt(np.sum(m[i] * m[i]))
    return out
