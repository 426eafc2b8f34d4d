"""Arithmetic on whole arrays (`a + b * 2.0`) is numpy's: the compiled code calls it through
Python, and the result is the numpy array (or scalar) Python would have. Broadcasting, dtypes,
in-place updates of an argument, numpy's own errors and warnings-not-errors must all match."""
import numpy as np


#export axpy(float64[:], float64[:], float)
def axpy(x, y, k):
    return k * x + y

#run: axpy(np.arange(5.0), np.ones(5), 2.5)
#run: axpy(np.arange(5.0), np.ones(4), 2.5)
#run: axpy(np.arange(0.0), np.ones(0), 2.5)


#export operators(int64[:], int)
def operators(a, k):
    return a + k, a - k, a * k, a // k, a % k, a ** 2, a & 6, a | 1, a ^ 3, a << 1, a >> 1, a / k

#run: operators(np.arange(-3, 7, dtype=np.int64), 3)
#run: operators(np.arange(-3, 7, dtype=np.int64), 0)


#export grids(float64[:, :], float64[:])
def grids(m, row):
    # Broadcasting a row over a matrix, then a scalar result from a method of the new array.
    centered = m - row
    return centered, (centered * centered).sum()

#run: grids(np.arange(12.0).reshape(3, 4), np.array([1.0, 2.0, 3.0, 4.0]))
#run: grids(np.arange(12.0).reshape(3, 4), np.array([1.0, 2.0, 3.0]))


#export in_place(float64[:], float64[:])
def in_place(a, b):
    # numpy updates the caller's array.
    a += b
    a *= 2.0
    return a[0]

#run: in_place(np.arange(5.0), np.ones(5))
#run: in_place(np.arange(5.0), np.ones(3))


#export then_loop(float64[:], float64[:])
def then_loop(a, b):
    c = a * b + 1.0
    c[0] = -1.0
    s = 0.0
    for x in c:
        s += x
    return s, c

#run: then_loop(np.arange(5.0), np.full(5, 0.5))


#export divide(float64[:], float64[:])
def divide(a, b):
    # Division by zero in numpy gives inf or nan (with a warning), not an exception.
    return a / b

#run: divide(np.array([1.0, -1.0, 0.0]), np.array([0.0, 0.0, 0.0]))


#export masks(float64[:], float64[:])
def masks(a, b):
    # Element-wise comparisons give boolean arrays; `-` and `~` are element-wise too.
    m = a > 0.5
    return -a, m, a == b, ~(a < b), 0.2 <= a, np.sqrt(a) >= b

#run: masks(np.linspace(0.0, 1.0, 5), np.full(5, 0.5))
#run: masks(np.linspace(0.0, 1.0, 5), np.full(3, 0.5))


#export chained(float64[:])
def chained(a):
    # A chain asks the truth of `0 < a`: numpy raises ValueError for an array of several.
    return 0.0 < a < 1.0

#run: chained(np.linspace(0.0, 1.0, 5))
#run: chained(np.array([0.5]))
