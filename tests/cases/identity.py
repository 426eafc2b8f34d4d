"""`is` / `is not` on values held natively: a number, tuple or array is never None, True and
False are singletons. Answered without boxing, so inside loops that run without the GIL and in
parallel loops too (boxing there crashed the interpreter)."""
import numpy as np


#export none_checks(float, int)
def none_checks(x, n):
    c = 0
    for i in range(n):
        if x is None:
            c += 100
        if x is not None:
            c += 1
        if i is None or (x, i) is None:
            c += 1000
    return c


#export flags(bool, bool)
def flags(a, b):
    r = 0
    if a is True:
        r += 1
    if b is not False:
        r += 10
    if a is b:
        r += 100
    return r


#export arrays(float64[:])
def arrays(a):
    hits = 0
    for i in range(a.shape[0]):
        if a[i] is None:
            hits += 1
        if a is not None:
            hits += 2
    return hits


#export parallel_none(float64[:])
def parallel_none(a):
    #omp parallel for
    for i in range(a.shape[0]):
        if a[i] is not None:
            a[i] = a[i] + 1.0
    return a


#run: none_checks(1.5, 3)
#run: none_checks(0.0, 0)
#run: flags(True, True)
#run: flags(True, False)
#run: flags(False, True)
#run: flags(False, False)
#run: arrays(np.arange(5.0))
#run: parallel_none(np.arange(1000.0))
