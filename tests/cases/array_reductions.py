"""Reductions of whole arrays and of element-wise expressions, compiled natively: `np.sum`,
`np.mean`, `np.max`/`np.amax`, `np.min`, `np.any`, `np.all` and the methods of the same names.
Float sums follow numpy's pairwise summation, so results equal numpy's to the last bit (float32
in float32); int and bool sums are int64; max and min propagate NaN and refuse empty arrays
with numpy's ValueError; a 2-D float sum of an array as it is stays numpy's own."""
import numpy as np
from numpy import amax
from pyaot import prange


#export norms(float64[:], float64[:])
def norms(x, y):
    d = np.sqrt(np.sum((x - y) ** 2))
    return d, (x * y).sum(), np.mean(x), x[::3].sum(), x[::-1].mean(), np.sum(x[1:] - x[:-1])

#run: norms(np.linspace(-3.0, 7.0, 1001) ** 3, np.cos(np.arange(1001.0)))
#run: norms(np.array([0.1, 0.2, 0.3]), np.array([0.3, 0.2, 0.1]))
#run: norms(np.zeros(0), np.zeros(0))
#run: norms(np.array([-0.0]), np.array([0.0]))
#run: norms(np.arange(5.0), np.arange(4.0))


#export grid(float64[:, :], float32[:])
def grid(m, f):
    return np.sum(m * 0.5 + 1.0), m.max(), np.min(m - 1.0), amax(m[:, 1]), f.sum(), np.sum(f * 3.0), f.mean(), np.sum(m)

#run: grid(np.sin(np.arange(391.0)).reshape(17, 23), (np.arange(1001) / 7.0).astype(np.float32))
#run: grid(np.array([[1.0, np.nan], [3.0, 4.0]]), np.zeros(3, np.float32))
#run: grid(np.zeros((0, 3)), np.zeros(0, np.float32))


#export counts(int32[:], bool[:], int8[:, :])
def counts(a, b, c):
    return (a.sum(), np.sum(a * a), b.sum(), np.max(a), a.min(), np.any(a > 3), np.all(b), b.any(),
            (a > 100).any(), c.sum(), c.max(), np.sum(c * 100), np.all(c != 0), b.max(), b.min())

#run: counts(np.array([3, -5, 9, 2**31 - 1, 2**31 - 1], np.int32), np.array([True, False, True]), np.array([[1, -128], [127, 5]], np.int8))
#run: counts(np.array([7], np.int32), np.ones(2, bool), np.ones((1, 1), np.int8))
#run: counts(np.zeros(0, np.int32), np.zeros(0, bool), np.zeros((0, 2), np.int8))


#export in_loop(float64[:, :])
def in_loop(m):
    # Row norms by reductions of views: no Python inside the loop.
    out = np.empty(m.shape[0])
    for i in range(m.shape[0]):
        out[i] = np.sqrt(np.sum(m[i] * m[i]))
    return out, out.max() / out.min()

#run: in_loop(np.arange(12.0).reshape(4, 3) + 1.0)


#export along(float64[:, :], int32[:, :], float32[:, :])
def along(m, i, g):
    # Along an axis: float sums in numpy's order (pairwise along the inner axis of memory,
    # one line after another along the other), for arrays and expressions alike.
    return (np.sum(m, axis=1), m.sum(axis=0), np.sqrt(np.sum(m * m, axis=1)), np.mean(m, axis=0),
            m.mean(1), np.max(m, axis=0), m.min(axis=-1), np.sum(i, axis=0), i.max(axis=1),
            np.any(m > 0.5, axis=1), (i > 0).all(axis=0), np.sum(g * 2.0, axis=0), g.mean(axis=1),
            np.sum(m - m[0], axis=0), np.sum(m, axis=-2), np.sum(m * 2.0), np.mean(m.T - 1.0))

#run: along(np.sin(np.arange(1110.0)).reshape(37, 30), np.arange(1110, dtype=np.int32).reshape(37, 30) % 7 - 3, np.cos(np.arange(1110.0)).reshape(37, 30).astype(np.float32))
#run: along(np.asfortranarray(np.sin(np.arange(1110.0)).reshape(37, 30)), np.ones((37, 30), np.int32), np.ones((37, 30), np.float32))
#run: along(np.sin(np.arange(3000.0)).reshape(30, 100)[::-1, ::2], np.ones((30, 50), np.int32), np.ones((30, 50), np.float32))
#run: along(np.sin(np.arange(300.0)).reshape(300, 1), np.ones((300, 1), np.int32), np.ones((300, 1), np.float32))
#run: along(np.zeros((0, 3)), np.zeros((0, 3), np.int32), np.zeros((0, 3), np.float32))
#run: along(np.zeros((3, 0)), np.zeros((3, 0), np.int32), np.zeros((3, 0), np.float32))


#export best(float64[:], int32[:, :], bool[:])
def best(a, m, b):
    # The first index of the largest / smallest (C order for 2-D); a NaN wins at once.
    return np.argmax(a), a.argmin(), np.argmax(m), m.argmin(), np.argmax(b), np.argmin(a * a - 1.0), np.argmax(np.abs(a))

#run: best(np.array([1.0, 5.0, -2.0, 5.0, -2.0]), np.array([[1, 7], [7, -3]], np.int32), np.array([False, True, True]))
#run: best(np.array([1.0, np.nan, 9.0, np.nan]), np.array([[2]], np.int32), np.array([False]))
#run: best(np.array([-np.inf, -np.inf]), np.array([[0, 0]], np.int32), np.array([True]))
#run: best(np.zeros(0), np.array([[1]], np.int32), np.array([True]))


#export par_rows(float64[:, :])
def par_rows(m):
    # Whole reductions of views inside a parallel loop: no Python, no temporary.
    out = np.empty(m.shape[0])
    for i in prange(m.shape[0]):
        out[i] = np.sqrt(np.sum(m[i] * m[i])) + m[i].max()
    return out

#run: par_rows(np.sin(np.arange(3000.0)).reshape(100, 30))
#run: par_rows(np.zeros((3, 0)))
