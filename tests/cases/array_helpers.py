"""Arrays held in locals, passed to helpers, created in helpers, returned alone or in tuples."""
import numpy as np


def norm2(v):
    s = 0.0
    for x in v:
        s += x * x
    return s


def doubled(v):
    out = np.empty(len(v))
    for i in range(len(v)):
        out[i] = 2.0 * v[i]
    return out


#export pipeline(float64[:])
def pipeline(a):
    b = doubled(a)
    c = doubled(b)
    return norm2(a), norm2(c), c


#export stats(float64[:])
def stats(a):
    lo = a[0]
    hi = a[0]
    for x in a:
        lo = min(lo, x)
        hi = max(hi, x)
    return (lo, hi), a


#export same(float64[:])
def same(a):
    b = a
    return b

#run: pipeline(np.arange(4.0))
#run: stats(np.array([3.0, -1.0, 7.5, 2.0]))
#run: same(np.arange(3.0))
