"""Functions that return a value on some paths and None on others (an optional result), or
tuples of different lengths: Python allows it, so the result is a Python object (boxed, with a
W002 warning); callers test it with `is None` as in Python."""
import numpy as np


#pythran export find(float64[], float)
def find(a, v):
    for i in range(len(a)):
        if a[i] == v:
            return i


#pythran export shape(int)
def shape(n):
    if n > 0:
        return (n, n * 2)
    return (n,)


#pythran export maybe(float)
def maybe(x):
    if x > 0:
        return x
    return None


def helper(x):
    if x > 1:
        return x * 2.0


#pythran export uses_helper(float)
def uses_helper(x):
    r = helper(x)
    if r is None:
        return -1.0
    return r


#pythran export chained(float)
def chained(x):
    # The boxed result flows on through compiled code.
    a = maybe(x)
    b = maybe(x - 10.0)
    return a, b

#run: find(np.array([1.0, 2.0, 3.0]), 2.0)
#run: find(np.array([1.0]), 5.0)
#run: find(np.array([]), 5.0)
#run: shape(3)
#run: shape(-1)
#run: maybe(2.0)
#run: maybe(-1.0)
#run: maybe(float("nan"))
#run: uses_helper(3.0)
#run: uses_helper(0.0)
#run: chained(12.0)
#run: chained(1.0)
