"""`#omp parallel for`: reductions, private temporaries, arrays written in parallel, schedules,
num_threads, if, lastprivate; the results are those of the serial loop (float sums within
1e-12, since threads add in another order)."""
import math
import numpy as np


#export int_sum(int)
def int_sum(n):
    s = 0
    #omp parallel for reduction(+:s)
    for i in range(n):
        s += i * i % 7
    return s


#export float_sum(float64[:])
def float_sum(x):
    s = 0.0
    #omp parallel for reduction(+:s)
    for i in range(len(x)):
        s += math.sqrt(x[i])
    return s


#export several(int64[:])
def several(a):
    lo = 10**9
    hi = -10**9
    prod = 1
    bits = 0
    #omp parallel for reduction(min:lo) reduction(max:hi) reduction(*:prod) reduction(|:bits)
    for i in range(len(a)):
        lo = min(lo, a[i])
        hi = max(a[i], hi)
        prod *= 1 + a[i] % 2
        bits |= a[i]
    return lo, hi, prod, bits


#export squares(float64[:], float)
def squares(out, k):
    #omp parallel for schedule(dynamic, 7)
    for i in range(len(out)):
        t = i * k
        out[i] = t * t


#export rows(float64[:, :])
def rows(m):
    n, d = m.shape
    out = np.zeros(n)
    #omp parallel for schedule(guided)
    for i in range(n):
        acc = 0.0
        for j in range(d):
            acc += m[i, j] * (j + 1)
        out[i] = acc
    return out


#export clauses(int, int)
def clauses(n, threads):
    s = 0
    #omp parallel for reduction(+:s) num_threads(threads) schedule(static, 3) if(n > 50)
    for i in range(2, n, 3):
        s += i
    return s, i


#export last(int)
def last(n):
    v = -1
    #omp parallel for lastprivate(v)
    for i in range(n):
        v = i * 10
    return v


#export stepped(int)
def stepped(n):
    s = 0
    #omp parallel for reduction(+:s)
    for i in range(n, 0, -2):
        s += i
    return s

#run: int_sum(100000)
#run: int_sum(0)
#run~: float_sum(np.arange(100000.0))
#run: several(np.array([5, -3, 12, 7, 0, 9]))
#run: squares(np.zeros(1000), 0.5)
#run~: rows(np.arange(60.0).reshape(20, 3))
#run: clauses(100, 2)
#run: clauses(10, 2)
#run: clauses(1000, 0)
#run: last(57)
#run: stepped(101)
