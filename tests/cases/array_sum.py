"""Reading 1-D and 2-D arrays of several dtypes, with any strides: views, reversed, Fortran order, empty."""
import numpy as np


#export total(float64[:])
def total(a):
    s = 0.0
    for i in range(len(a)):
        s += a[i]
    return s


#export itotal(int32[:])
def itotal(a):
    s = 0
    for i in range(a.shape[0]):
        s += a[i]
    return s


#export ftotal(float32[:])
def ftotal(a):
    # float(): numpy 2 would keep float32 arithmetic; pyaot computes in float64 (docs/language.md)
    s = 0.0
    for i in range(len(a)):
        s += float(a[i])
    return s


#export grid_total(float64[:, :])
def grid_total(a):
    n, m = a.shape
    s = 0.0
    for i in range(n):
        for j in range(m):
            s += a[i, j] * (i + 1)
    return s

#run: total(np.arange(10.0))
#run: total(np.arange(10.0)[::3])
#run: total(np.arange(10.0)[::-1])
#run: total(np.zeros(0))
#run: total(np.linspace(0.0, 1.0, 7)[1:-1])
#run: itotal(np.arange(100, dtype=np.int32))
#run: itotal(np.arange(-50, 50, 7, dtype=np.int32)[::-2])
#run: ftotal(np.full(5, 0.1, dtype=np.float32))
#run: grid_total(np.arange(12.0).reshape(3, 4))
#run: grid_total(np.asfortranarray(np.arange(12.0).reshape(3, 4)))
#run: grid_total(np.arange(24.0).reshape(4, 6)[::2, 1::2])
#run: grid_total(np.arange(12.0).reshape(3, 4).T)
#run: grid_total(np.zeros((0, 3)))
