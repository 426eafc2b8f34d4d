"""Loops over tuples (`for k in (10, n, 20)`) and tuples indexed by a variable, with Python's
wraparound and IndexError; items of one type, numbers or arrays."""
import numpy as np


#export weighted(int, float)
def weighted(n, x):
    total = 0.0
    for k in (10, n, 20):
        total += k * x
    return total


#export pick(int, int)
def pick(a, i):
    t = (a, a + 1, a * 3)
    return t[i]


#export pick_float((float, float, float), int)
def pick_float(t, i):
    return t[i] * 2.0


#export first_over(float64[:], float64[:], float)
def first_over(a, b, limit):
    # The first array (in order) whose sum passes the limit, else -1; `break` and `else`.
    found = -1
    for k, arr in enumerate((a, b)):
        s = 0.0
        for v in arr:
            s += v
        if s > limit:
            found = k
            break
    else:
        found = -2
    return found


#export scale_all(float64[:], float64[:], float)
def scale_all(a, b, f):
    for arr in (a, b):
        for i in range(len(arr)):
            arr[i] *= f


#export zipped(int)
def zipped(n):
    out = 0
    for p, q in zip((1, 2, n), (n, 5, 6)):
        out = out * 10 + p * q
    return out


#export continue_skip(int)
def continue_skip(n):
    total = 0
    for k in (1, n, 3, n, 5):
        if k == n:
            continue
        total += k
    return total

#run: weighted(3, 0.5)
#run: weighted(-7, 2.0)
#run: pick(5, 0)
#run: pick(5, 2)
#run: pick(5, -1)
#run: pick(5, -3)
#run: pick(5, 3)
#run: pick(5, -4)
#run: pick(5, 2**40)
#run: pick_float((1.5, 2.5, 3.5), 1)
#run: pick_float((1.5, 2.5, 3.5), -2)
#run: pick_float((1.5, 2.5, 3.5), 7)
#run: first_over(np.array([1.0, 2.0]), np.array([5.0, 6.0]), 10.0)
#run: first_over(np.array([8.0, 9.0]), np.array([5.0, 6.0]), 10.0)
#run: first_over(np.array([1.0]), np.array([1.0]), 10.0)
#run: scale_all(np.array([1.0, 2.0]), np.array([3.0]), 2.5)
#run: zipped(4)
#run: continue_skip(3)
#run: continue_skip(9)
