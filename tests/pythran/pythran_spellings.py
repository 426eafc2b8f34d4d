"""More export spellings of Pythran files: alternatives inside a type (`[int or float] list`,
`([int or float], int)`), `None` inside a tuple, `T list list`, `(A, B) list`, `str:int dict`,
`int set`, and an optional argument whose default is of another type than the exported one
(`int?` with a float or a None default): called without it, the function gets the default, as
in CPython, through a version of its own."""
import numpy as np


#pythran export total([int or float] list)
def total(xs):
    s = 0.0
    for v in xs:
        s += v
    return s


#pythran export first_of(([int or float], int))
def first_of(pair):
    return pair[0] * pair[1]


#pythran export with_none((float, None, int))
def with_none(t):
    a, nothing, b = t
    return a * b if nothing is None else -1.0


#pythran export nested_len(int list list, (int, float) list)
def nested_len(rows, pairs):
    n = 0
    for r in rows:
        n += len(r)
    for p in pairs:
        n += p[0]
    return n


#pythran export lookup(str:int dict, int set, str)
def lookup(d, s, key):
    return d[key] if d[key] in s else -1


#pythran export scale(float, int?)
def scale(x, factor=2.5):
    return x * factor


#pythran export maybe_times(float, int?)
def maybe_times(x, n=None):
    if n is None:
        return x
    return x * n


#pythran export clipped(float64[], float?)
def clipped(a, hi=None):
    s = 0.0
    for v in a:
        if hi is not None and v > hi:
            s += hi
        else:
            s += v
    return s

#run: total([1, 2, 3])
#run: total([1.5, 2, 3])
#run: total([])
#run: first_of((3, 4))
#run: first_of((1.5, 4))
#run: with_none((2.0, None, 3))
#run: nested_len([[1, 2], [3]], [(4, 0.5)])
#run: nested_len([], [])
#run: lookup({"a": 1, "b": 2}, {2, 3}, "b")
#run: lookup({"a": 1, "b": 2}, {2, 3}, "a")
#run: lookup({"a": 1}, {1}, "z")
#run: scale(2.0)
#run: scale(2.0, 3)
#run: scale(2.0, 1.5)
#run: maybe_times(2.0)
#run: maybe_times(2.0, 4)
#run: maybe_times(2.0, None)
#run: clipped(np.array([1.0, 5.0, 2.0]))
#run: clipped(np.array([1.0, 5.0, 2.0]), 3.0)
#run: clipped(np.array([1.0, 5.0, 2.0]), None)
