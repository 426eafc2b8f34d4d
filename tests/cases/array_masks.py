"""Indexing an array with a mask (`b[b < lo] = lo`) or with an index array (`a[idx]`): numpy's
own indexing, through Python, on the very memory the compiled code holds (the caller's array
changes in place), with numpy's errors. The rest of the function stays native."""
import numpy as np


#export clip_low(float64[:], float)
def clip_low(b, lo):
    b[b < lo] = lo
    return b


#export above(float64[:], float)
def above(b, lo):
    return b[b > lo]


#export bump(float64[:, :], float)
def bump(m, t):
    m[m > t] += 1.0
    s = 0.0
    for i in range(m.shape[0]):
        s += m[i, 0]
    return s


#export gather(float64[:], int64[:])
def gather(a, idx):
    return a[idx]


#export scatter(float64[:], int64[:], float)
def scatter(a, idx, v):
    a[idx] = v
    return a.sum()


#export rows(float64[:, :], int64[:])
def rows(m, idx):
    return m[idx]

#run: clip_low(np.array([1.0, -2.0, 3.0, -0.5]), 0.0)
#run: clip_low(np.zeros(0), 1.0)
#run: above(np.array([1.0, -2.0, 3.0]), 0.0)
#run: above(np.array([1.0, -2.0, 3.0]), 9.0)
#run: bump(np.arange(6.0).reshape(3, 2), 2.5)
#run: gather(np.arange(5.0), np.array([4, 0, -1]))
#run: gather(np.arange(5.0), np.array([7]))
#run: scatter(np.zeros(4), np.array([1, 3]), 2.5)
#run: scatter(np.zeros(4), np.array([9]), 2.5)
#run: rows(np.arange(6.0).reshape(3, 2), np.array([2, 0]))


#export held_mask(float64[:], float)
def held_mask(a, t):
    # A mask kept in a variable: a native bool array, indexing as numpy's mask.
    m = a > t
    a[m] = 0.0
    return a, m, a[~m], np.sum(m)

#run: held_mask(np.array([1.0, 5.0, -2.0, 7.0]), 2.0)
#run: held_mask(np.zeros(0), 2.0)
