"""Export comments as Pythran's users write them: `T[,]`, `order(C)` / `order(F)`, `intp` and
`uintp`, an export spread over several comment lines, trailing parameters with defaults left
out of the export, and a `capsule` export (skipped with a warning)."""
import numpy as np


#pythran export corner_sum(float[,], float[:,:] order(C), float[:,:] order(F))
def corner_sum(a, b, c):
    return a[0, 0] + b[-1, -1] + c[0, -1]


#pythran export scaled(float[],
#pythran               intp,
#                      uintp)
def scaled(x, k, m):
    s = 0.0
    for v in x:
        s += v * k + m
    return s


#pythran export shifted(float)
#pythran export shifted(float, float)
def shifted(x, by=1.5, times=2):
    return (x + by) * times


#pythran export capsule raw(float)
def raw(x):
    return x


#run: corner_sum(np.arange(6.0).reshape(2, 3), np.ones((2, 2)), np.asfortranarray(np.arange(4.0).reshape(2, 2)))
#run: corner_sum(np.zeros((1, 1)), np.arange(9.0).reshape(3, 3), np.arange(12.0).reshape(4, 3)[::2])
#run: scaled(np.arange(4.0), 3, 2)
#run: scaled(np.arange(5.0)[::2], -1, 0)
#run: shifted(1.0)
#run: shifted(1.0, 0.25)
