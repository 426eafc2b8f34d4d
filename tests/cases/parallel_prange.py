"""`prange` (from numba, cython.parallel or pyaot) is a parallel range; in-place updates of outer
variables are reductions, variables first assigned in the body are private."""
from pyaot import prange
import numpy as np


#export total(int64[:])
def total(a):
    s = 0
    count = 0
    for i in prange(len(a)):
        v = a[i] * 2
        s += v
        count += 1
    return s, count


#export scale(float64[:, :], float)
def scale(m, k):
    n, d = m.shape
    for i in prange(n):
        for j in range(d):
            m[i, j] *= k


#export nested(int)
def nested(n):
    s = 0
    for i in prange(n):
        for j in prange(i):
            s += j
    return s

#run: total(np.arange(1000))
#run: scale(np.arange(12.0).reshape(3, 4), 2.5)
#run: nested(50)
