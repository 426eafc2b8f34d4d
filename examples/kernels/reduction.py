"""A reduction over an array: sum of a smooth function of every element. Pythran runs the
`#omp` loop on all cores, and so does pyaot; Numba's plain `njit` runs it on one."""
import math


#pythran export reduction(float64[:])
def reduction(x):
    s = 0.0
    #omp parallel for reduction(+:s)
    for i in range(len(x)):
        s += math.exp(-x[i] * x[i]) * math.cos(x[i])
    return s
