"""for x in a, enumerate(a), zip(a, b); a 2-D array yields its rows."""
import numpy as np


#export total(float64[:])
def total(a):
    s = 0.0
    for x in a:
        s += x
    return s


#export weighted(float64[:])
def weighted(a):
    s = 0.0
    for i, x in enumerate(a):
        s += i * x
    return s


#export dot(float64[:], float64[:])
def dot(a, b):
    s = 0.0
    for x, y in zip(a, b):
        s += x * y
    return s


#export row_max(float64[:, :])
def row_max(m):
    best = -1e300
    for row in m:
        t = 0.0
        for v in row:
            t += v
        best = max(best, t)
    return best


#export first_negative(int64[:])
def first_negative(a):
    for i, x in enumerate(a):
        if x < 0:
            break
    else:
        return -1
    return i

#run: total(np.arange(5.0))
#run: total(np.zeros(0))
#run: weighted(np.arange(5.0)[::-1])
#run: dot(np.arange(4.0), np.arange(6.0))
#run: row_max(np.arange(12.0).reshape(4, 3))
#run: first_negative(np.array([3, 1, -2, 5]))
#run: first_negative(np.array([3, 1]))


#export weighted_from(float64[:], int)
def weighted_from(a, start):
    s = 0.0
    for i, x in enumerate(a, start):
        s += i * x
    return s

#run: weighted_from(np.arange(4.0), 1)
#run: weighted_from(np.arange(4.0), -2)
#run: weighted_from(np.arange(0.0), 5)
