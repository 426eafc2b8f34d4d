"""Whole-array arithmetic compiled natively (one fused loop nest per expression, no
temporaries): numpy's dtypes (float32 stays float32, int32 wraps, NEP 50 for Python numbers),
broadcasting and its ValueError, `//` and `%` by zero as numpy gives them, comparisons, `~`,
numpy functions of arrays, views and negative strides, stores into views (`u[1:-1] = ...`,
`a[:] = 0`, `a[i, :] = row`), in-place updates of the caller's array, overlapping operands
(numpy's copy-first result), read-only arrays, and element-wise stores inside parallel loops."""
import numpy as np
from pyaot import prange


#export mixed(float64[:], float64[:], float)
def mixed(x, y, k):
    return k * x + y / 2.0 - x * y, (x - y) ** 2, -x + 1, x / y, x // y, x % y

#run: mixed(np.array([1.5, -2.0, 3.0, 0.0]), np.array([0.5, 0.0, -4.0, 0.0]), 2.0)
#run: mixed(np.array([1.5, -2.0]), np.array([0.5, 0.0, 1.0]), 2.0)
#run: mixed(np.zeros(0), np.zeros(0), 1.0)


#export narrow(float32[:], int32[:], int8[:], int16[:])
def narrow(f, i, b, s):
    return f * 2.5 + 1.0, f + i, i * 7, i // 3, i % 3, b + b, b * 100, s + f, i + 2, b - 1, i / 2


#run: narrow(np.array([0.1, 1.7, -3.3], np.float32), np.array([2**31 - 1, -7, 5], np.int32), np.array([100, -100, 7], np.int8), np.array([30000, -2, 3], np.int16))


#export ints(int64[:], int64[:])
def ints(a, b):
    return a // b, a % b, a ** 2, a & b, a | b, a ^ b, ~a, -a, a * b, a / b

#run: ints(np.array([7, -7, 0, -9223372036854775808, 5]), np.array([2, 2, 0, -1, -3]))


#export int_power(int64[:], int64[:])
def int_power(a, b):
    return a ** b

#run: int_power(np.array([2, 3, 4]), np.array([3, 2, 0]))
#run: int_power(np.array([2, 3, 4]), np.array([3, -2, 0]))


#export compare(float64[:], float64[:], bool[:])
def compare(a, b, m):
    return a < b, a <= 0.5, a == b, a != b, 1.0 > a, ~(a >= b), (a > 0.0) & m, m | (b < 0.0), m ^ m, ~m

#run: compare(np.array([0.0, 0.5, np.nan, 2.0]), np.array([1.0, 0.5, np.nan, -1.0]), np.array([True, False, True, False]))


#export functions(float64[:], float32[:], int64[:])
def functions(a, f, i):
    return (np.sqrt(np.abs(a)), np.floor(a), np.minimum(a, 0.5), np.maximum(a, np.nan), np.sqrt(f),
            np.sqrt(i), np.abs(i), np.square(i), np.isnan(a), np.hypot(a, 3.0), np.exp(a) - 1.0)

#run: functions(np.array([-2.25, 0.0, 4.0, np.nan]), np.array([0.0, 2.0, 9.0, 10.0], np.float32), np.array([-4, 0, 9, 16]))


#export broadcast(float64[:, :], float64[:], float64[:, :])
def broadcast(m, row, col):
    return m - row, m * col, col + row, (m - row) * col / 2.0

#run: broadcast(np.arange(12.0).reshape(3, 4), np.arange(4.0), np.array([[1.0], [2.0], [3.0]]))
#run: broadcast(np.arange(12.0).reshape(3, 4), np.arange(3.0), np.array([[1.0], [2.0], [3.0]]))
#run: broadcast(np.arange(12.0).reshape(3, 4), np.arange(4.0), np.array([[1.0], [2.0]]))
#run: broadcast(np.zeros((0, 4)), np.arange(4.0), np.zeros((0, 1)))


#export views(float64[:], float64[:, :])
def views(a, m):
    return a[::-1] * 2.0, a[1::2] + a[::2], m.T * 1.0, m[1] - m[:, 0], a[::-1] - a

#run: views(np.arange(6.0), np.arange(9.0).reshape(3, 3))
#run: views(np.arange(5.0), np.arange(9.0).reshape(3, 3))


#export stencil(float64[:], float, int)
def stencil(u, k, steps):
    for _ in range(steps):
        u[1:-1] = u[1:-1] + k * (u[2:] - 2.0 * u[1:-1] + u[:-2])
    return u

#run: stencil(np.array([0.0, 0.0, 10.0, 0.0, 0.0, 5.0]), 0.25, 3)
#run: stencil(np.zeros(2), 0.25, 3)


#export stores(float64[:, :], float64[:], float)
def stores(m, row, v):
    m[0, :] = row
    m[1] = v
    m[2:, 1:] = m[2:, 1:] * 10.0
    m[:, 0] += 0.5
    m[-1, ::2] -= row[::2]
    return m

#run: stores(np.arange(16.0).reshape(4, 4), np.array([-1.0, -2.0, -3.0, -4.0]), 7.0)
#run: stores(np.arange(16.0).reshape(4, 4), np.array([-1.0, -2.0, -3.0]), 7.0)


#export fill(int32[:], float32[:, :])
def fill(a, m):
    a[:] = 0
    a[::2] = 7
    m[:] = 1.5
    m[1:, :] = m[1:, :] / 4.0
    return a, m

#run: fill(np.arange(5, dtype=np.int32), np.zeros((3, 2), np.float32))


#export overlap(float64[:], float64[:])
def overlap(a, b):
    a[1:] = a[:-1]
    b[:-1] = b[1:] * 2.0
    a[::-1] += a
    return a, b

#run: overlap(np.arange(6.0), np.arange(6.0))


#export in_place(float64[:], float64[:], int64[:])
def in_place(a, b, i):
    a += b
    a *= 2.0
    a -= a[0]
    i += 3
    i //= 2
    return a, i

#run: in_place(np.arange(5.0), np.ones(5), np.arange(5))
#run: in_place(np.arange(5.0), np.ones(3), np.arange(5))


#export read_only(float64[:])
def read_only(a):
    a[:] = 1.0
    return a

#run: read_only(np.arange(3.0).copy())
#run: read_only(np.broadcast_to(np.arange(3.0), (3,)))


#export then_loop(float64[:], float64[:])
def then_loop(a, b):
    c = np.sqrt(a * a + b * b)
    s = 0.0
    for x in c:
        s += x
    c[0] = s
    return c

#run: then_loop(np.array([3.0, 5.0, 8.0]), np.array([4.0, 12.0, 15.0]))


#export parallel_rows(float64[:, :], float64[:])
def parallel_rows(m, w):
    out = np.empty_like(m)
    for i in prange(m.shape[0]):
        out[i, :] = m[i, :] * w + 1.0
        out[i] += m[i] / 2.0
    return out

#run: parallel_rows(np.arange(12.0).reshape(4, 3), np.array([1.0, -1.0, 0.5]))
#run: parallel_rows(np.arange(12.0).reshape(4, 3), np.array([1.0, -1.0]))


#export pairwise(float64[:], float64[:, :])
def pairwise(x, pts):
    d = x[:, None] - x[None, :]
    dx = pts[:, np.newaxis, 0] - pts[np.newaxis, :, 0]
    return d, np.sqrt(dx * dx), x[None] * 2.0, x[:, None].shape

#run: pairwise(np.array([1.0, 4.0, 9.0]), np.array([[0.0, 1.0], [3.0, 4.0]]))
#run: pairwise(np.zeros(0), np.zeros((0, 2)))


#export choose(float64[:], int32[:], float64[:, :])
def choose(a, i, m):
    return (np.where(a > 0.0, a, 0.0), np.where(i % 2 == 0, i, -1), np.where(a < 1.0, 1, 2.5),
            np.clip(a, -1.0, 1.0), np.clip(i, 0, 3), np.clip(m, a[0], 2.0), np.where(m > 1.0, m, a),
            np.clip(2.5, 0.0, 1.0), np.clip(-3, 0, 10))

#run: choose(np.array([-2.0, 0.5, np.nan, 3.0, -0.0]), np.arange(-2, 3, dtype=np.int32), np.arange(10.0).reshape(2, 5) / 3.0)
#run: choose(np.array([-2.0, 0.5]), np.arange(-2, 3, dtype=np.int32), np.arange(10.0).reshape(2, 5))


#export casts(float64[:], int64[:], bool[:])
def casts(a, i, m):
    # numpy's casts: floats truncated into ints (NaN and out-of-range values as numpy on
    # x86-64), ints wrapped into narrower ones, bools as 0 and 1; a new array each time.
    return (a.astype(np.int32), a.astype(np.float32), i.astype(np.int8), m.astype(np.float64),
            (a > 0.5).astype(int), i.astype(a.dtype) * 0.5, a.astype(np.int64), a.astype('bool'),
            np.sqrt(i.astype(np.float64)))

#run: casts(np.array([1.7, -2.5, np.nan, 3e10, -0.0, 0.4]), np.array([300, -129, 7, 0, 2**40, -1]), np.array([True, False, True, False, True, True]))
