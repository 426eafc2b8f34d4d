"""Indexing: negative indices wrap, out-of-range ones raise IndexError; a[i] of a 2-D array is a row."""
import numpy as np


#export get(float64[:], int)
def get(a, i):
    return a[i]


#export get2(int64[:, :], int, int)
def get2(a, i, j):
    return a[i, j]


#export row_sum(float64[:, :], int)
def row_sum(a, i):
    row = a[i]
    s = 0.0
    for j in range(len(row)):
        s += row[j]
    return s


#export last_of_each(int64[:, :])
def last_of_each(a):
    s = 0
    for i in range(a.shape[0]):
        s = s * 10 + a[i][-1]
    return s

#run: get(np.arange(5.0), 0)
#run: get(np.arange(5.0), -1)
#run: get(np.arange(5.0), -5)
#run: get(np.arange(5.0), 5)
#run: get(np.arange(5.0), -6)
#run: get(np.zeros(0), 0)
#run: get(np.zeros(0), -1)
#run: get(np.arange(5.0), 2**63 - 1)
#run: get(np.arange(5.0), -2**63)
#run: get(np.arange(5.0), 2**63 - 3)
#run: get2(np.arange(12).reshape(3, 4), 2, -1)
#run: get2(np.arange(12).reshape(3, 4), -3, 0)
#run: get2(np.arange(12).reshape(3, 4), 3, 0)
#run: get2(np.arange(12).reshape(3, 4), 0, 4)
#run: row_sum(np.arange(12.0).reshape(3, 4), 1)
#run: row_sum(np.arange(12.0).reshape(3, 4), -1)
#run: row_sum(np.arange(12.0).reshape(3, 4), 3)
#run: last_of_each(np.arange(9).reshape(3, 3))
