"""`collapse(n)` on a parallel loop nest, `default(none)` and `shared(...)`: the nested loops
share out one iteration space (the threads get rows and columns alike, so a nest with few rows
still uses every core). Each variable holds, in each iteration, what the nested loops give it."""
import numpy as np


#pythran export total(float64[:, :])
def total(a):
    t = 0.0
    #omp parallel for collapse(2) reduction(+:t) default(none) shared(a)
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            t += a[i, j] * (i + 1) - j
    return t


#pythran export fill(int, int, int, int)
def fill(r0, r1, c0, c1):
    out = np.zeros((max(r1, 1), max(c1, 1)))
    #omp parallel for collapse(2)
    for i in range(r0, r1):
        for j in range(c0, c1):
            out[i, j] = i * 100 + j
    return out


#pythran export cube(int)
def cube(n):
    out = np.zeros((n, n, n), dtype=np.int64)
    #omp parallel for collapse(3) schedule(static)
    for i in range(n):
        for j in range(n):
            for k in range(1, n):
                out[i, j, k] = i * j - k
    return out


#pythran export no_collapse_needed(int)
def no_collapse_needed(n):
    s = 0
    #omp parallel for collapse(1) reduction(+:s)
    for i in range(n):
        s += i
    return s

#run~: total(np.arange(12.0).reshape(3, 4))
#run: total(np.zeros((0, 5)))
#run: total(np.zeros((5, 0)))
#run: fill(1, 4, 2, 5)
#run: fill(3, 1, 0, 2)
#run: fill(0, 2, 4, 4)
#run: cube(4)
#run: cube(0)
#run: no_collapse_needed(100)
