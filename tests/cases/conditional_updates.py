"""`if <cond reading a[i]>: a[i] = value` is compiled as a select and a store (it vectorizes);
the results, and the errors for read-only arrays, stay Python's."""
import numpy as np


def frozen(a):
    a.flags.writeable = False
    return a


#export relax(float64[:, :])
def relax(d):
    n = d.shape[0]
    for k in range(n):
        for i in range(n):
            dik = d[i, k]
            for j in range(n):
                if dik + d[k, j] < d[i, j]:
                    d[i, j] = dik + d[k, j]


#export running_min(float64[:], float64[:])
def running_min(best, x):
    for i in range(len(x)):
        if x[i] < best[i]:
            best[i] = x[i]


#export clip_up(int64[:], int)
def clip_up(a, lo):
    for i in range(len(a)):
        if a[i] < lo:
            a[i] = lo


#export halve_big(float64[:], float)
def halve_big(a, limit):
    for i in range(len(a)):
        if a[i] > limit:
            a[i] = a[i] / 2.0

#run: relax(np.array([[0.0, 5.0, 9.0], [1.0, 0.0, 2.0], [7.0, 1.5, 0.0]]))
#run: running_min(np.full(6, 3.0), np.array([5.0, 1.0, 3.0, -2.0, float('nan'), 0.0]))
#run: running_min(frozen(np.full(3, 1.0)), np.array([2.0, 3.0, 4.0]))
#run: running_min(frozen(np.full(3, 1.0)), np.array([2.0, 0.0, 4.0]))
#run: clip_up(np.array([-5, 3, 0, 10]), 1)
#run: clip_up(frozen(np.array([5, 6])), 1)
#run: halve_big(np.array([1.0, 10.0, 100.0]), 5.0)
#run: halve_big(frozen(np.array([1.0, 2.0])), 5.0)


#export clear_guarded(float64[:], int)
def clear_guarded(a, i):
    # `a[i]` behind `and`: never read, nor written, when i is out of range.
    if i < len(a) and a[i] > 0.5:
        a[i] = 0.0
    return a[0]


#export clear_chained(float64[:], int)
def clear_chained(a, i):
    # The second link of a chained comparison runs only when the first holds.
    if len(a) > i > -1 < a[i]:
        a[i] = -1.0
    return a[0]


#export clear_picked(float64[:], int, bool)
def clear_picked(a, i, use):
    if (a[i] if use else 0.0) > 0.5:
        a[i] = 0.0
    return a[0]

#run: clear_guarded(np.array([0.9, 0.1]), 0)
#run: clear_guarded(np.array([0.9, 0.1]), 5)
#run: clear_chained(np.array([0.9, 0.1]), 1)
#run: clear_chained(np.array([0.9, 0.1]), 5)
#run: clear_picked(np.array([0.9, 0.1]), 0, True)
#run: clear_picked(np.array([0.9, 0.1]), 7, False)
