"""shape (unpackable), ndim, size, len and .T."""
import numpy as np


#export describe(float64[:, :])
def describe(a):
    n, m = a.shape
    return n, m, a.ndim, a.size, len(a), a.shape, a.T.shape


#export describe3(int32[:, :, :])
def describe3(a):
    return a.shape, a.size, a[0].shape, a[0, 1].shape

#run: describe(np.zeros((3, 5)))
#run: describe(np.zeros((0, 2)))
#run: describe3(np.zeros((2, 3, 4), dtype=np.int32))
