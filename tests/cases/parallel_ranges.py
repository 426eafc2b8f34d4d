"""Parallel loops over ranges whose ends the outlined body restates (len, shape, int locals,
constants): indexes must still be checked where the range does not bound them, and negative
starts must still wrap."""
import numpy as np


#export total(float64[:])
def total(x):
    s = 0.0
    #omp parallel for reduction(+:s)
    for i in range(len(x)):
        s += x[i] * 2.0
    return s


#export from_start(float64[:], int)
def from_start(x, start):
    s = 0.0
    #omp parallel for reduction(+:s)
    for i in range(start, len(x)):
        s += x[i]
    return s


#export up_to(float64[:], int)
def up_to(x, n):
    s = 0.0
    #omp parallel for reduction(+:s)
    for i in range(n):
        s += x[i]
    return s


#export rows(float64[:, :])
def rows(a):
    out = np.zeros(a.shape[0])
    #omp parallel for
    for i in range(1, a.shape[0]):
        out[i] = a[i, 0] - a[i - 1, 0]
    return out


#export stepped(float64[:], int)
def stepped(x, step):
    s = 0.0
    #omp parallel for reduction(+:s)
    for i in range(0, len(x), 3):
        s += x[i] + step
    return s


#run: total(np.arange(1000.0))
#run: total(np.zeros(0))
#run: from_start(np.arange(10.0), 3)
#run: from_start(np.arange(10.0), -4)
#run: from_start(np.arange(10.0), -11)
#run: up_to(np.arange(10.0), 10)
#run: up_to(np.arange(10.0), 11)
#run: up_to(np.arange(10.0), 0)
#run: rows(np.arange(12.0).reshape(6, 2))
#run: rows(np.zeros((0, 2)))
#run: stepped(np.arange(100.0), 1)
