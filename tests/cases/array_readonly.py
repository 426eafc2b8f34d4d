"""A read-only array can be read; writing to it raises ValueError as numpy does."""
import numpy as np


def frozen(a):
    a.flags.writeable = False
    return a


#export read(float64[:])
def read(a):
    return a[0] + a[-1]


#export write(float64[:])
def write(a):
    a[0] = 1.0


#export maybe_write(float64[:], bool)
def maybe_write(a, really):
    if really:
        a[0] = 2.0
    return a[0]

#run: read(frozen(np.arange(4.0)))
#run: write(frozen(np.arange(4.0)))
#run: maybe_write(frozen(np.arange(4.0)), False)
#run: maybe_write(frozen(np.arange(4.0)), True)
#run: maybe_write(np.arange(4.0), True)
