"""A file written for Pythran with its exports in a side file (side_exports.pythran), built
unchanged: the functions carry no export comment of their own."""
import numpy as np


def norm(x):
    s = 0.
    for v in x:
        s += v * v
    return np.sqrt(s)


def clip_count(a, lo, hi=None):
    n = 0
    for v in a:
        if v < lo:
            n += 1
        elif hi is not None and v > hi:
            n += 1
    return n


def pairs(xs):
    total = 0
    for a, b in xs:
        total += a * b
    return total

#run: norm(np.array([3.0, 4.0]))
#run: norm(np.array([]))
#run: clip_count(np.array([1.0, 5.0, 9.0]), 2.0)
#run: clip_count(np.array([1.0, 5.0, 9.0]), 2.0, 6.0)
#run: pairs([(1, 2), (3, 4)])
