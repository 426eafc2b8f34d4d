"""Loops that only compute run first with their checks collected, then again as written when a
check failed (codegen/speculate.rs): results, the exception and the state a handler sees must be
Python's either way. (`float(a[i])` where CPython would divide numpy scalars, which give inf
instead of raising: compiled code follows Python's floats either way.)"""
import math
import numpy as np


#export ratio_sum(float64[:], float64[:])
def ratio_sum(a, b):
    s = 0.0
    for i in range(len(a)):
        s += float(a[i]) / float(b[i])
    return s


#export sqrt_ratio(float64[:])
def sqrt_ratio(x):
    s = 0.0
    for i in range(len(x)):
        if x[i] > 0.5:
            s += math.sqrt(x[i]) / (1.0 + x[i])
    return s


#export root_of_each(float64[:])
def root_of_each(x):
    s = 0.0
    for i in range(len(x)):
        s += math.sqrt(x[i])
    return s


#export past_the_end(float64[:], int)
def past_the_end(a, n):
    s = 0.0
    for i in range(n):
        s += a[i] / 2.0
    return s


#export neighbours(float64[:])
def neighbours(a):
    # a[i - 1] at i == 0 is a[-1]: wraps, as Python does.
    s = 0.0
    for i in range(len(a)):
        s += a[i - 1] / (a[i] + 1.0)
    return s


#export gathered(float64[:], int64[:])
def gathered(a, idx):
    s = 0.0
    for i in range(len(idx)):
        s += a[idx[i]] / 3.0
    return s


#export signed_zero_sums(float64[:])
def signed_zero_sums(a):
    up = -0.0
    down = -0.0
    for i in range(len(a)):
        if a[i] > 10.0:
            up += a[i] / 2.0
            down -= a[i] / 2.0
    return up, down, math.copysign(1.0, up), math.copysign(1.0, down)


#export last_seen(float64[:])
def last_seen(a):
    # `d` is read after the loop: it keeps the value of the last iteration that assigned it.
    d = -1.0
    count = 0
    for i in range(len(a)):
        if a[i] > 0.5:
            d = a[i] / 2.0
            count += 1
    return d, count


#export caught(float64[:], float64[:])
def caught(a, b):
    # The handler sees the locals as Python leaves them at the failing iteration.
    s = 0.0
    t = 0.0
    q = -1.0
    try:
        for i in range(len(a)):
            t = a[i] * 2.0
            q = float(a[i]) / float(b[i])
            s += q
    except ZeroDivisionError:
        return s, t, q, -1.0
    return s, t, q, 1.0


#export floor_parts(float64[:], float64[:])
def floor_parts(a, b):
    s = 0.0
    for i in range(len(a)):
        x = float(a[i])
        y = float(b[i])
        s += x // y + x % y
    return s


#export int_counts(int64[:], int)
def int_counts(a, k):
    n = 0
    total = 0
    for i in range(len(a)):
        if a[i] % 4 == k:
            n += 1
            total -= a[i]
    return n, total


#export strided_ratio(float64[:, :])
def strided_ratio(m):
    s = 0.0
    for i in range(m.shape[0]):
        s += float(m[i, 1]) / float(m[i, 0])
    return s

#run: ratio_sum(np.array([1.0, 2.0, 3.0, 4.0, 5.0]), np.array([2.0, 4.0, 8.0, 16.0, 32.0]))
#run: ratio_sum(np.array([1.0, 2.0, 3.0, 4.0, 5.0]), np.array([2.0, 4.0, 0.0, 16.0, 32.0]))
#run: ratio_sum(np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0]))
#run: ratio_sum(np.array([], dtype=np.float64), np.array([], dtype=np.float64))
#run: ratio_sum(np.arange(1.0, 40.0), np.arange(2.0, 41.0))
#run: ratio_sum(np.arange(1.0, 40.0)[::3], np.arange(2.0, 41.0)[::3])
#run: sqrt_ratio(np.linspace(0.0, 3.0, 37))
#run: sqrt_ratio(np.array([0.1, 0.7, -2.0, 0.9]))
#run: root_of_each(np.linspace(0.0, 3.0, 37))
#run: root_of_each(np.array([4.0, 9.0, -1.0, 16.0]))
#run: root_of_each(np.array([4.0, 9.0, float('nan'), 16.0]))
#run: past_the_end(np.arange(10.0), 10)
#run: past_the_end(np.arange(10.0), 11)
#run: past_the_end(np.arange(10.0), 0)
#run: past_the_end(np.arange(10.0), -3)
#run: neighbours(np.arange(1.0, 12.0))
#run: gathered(np.arange(10.0), np.array([1, 5, 9, 0, 3], dtype=np.int64))
#run: gathered(np.arange(10.0), np.array([1, 5, -1, 0, 3], dtype=np.int64))
#run: gathered(np.arange(10.0), np.array([1, 5, 10, 0, 3], dtype=np.int64))
#run: signed_zero_sums(np.array([1.0, 2.0, 3.0]))
#run: signed_zero_sums(np.array([1.0, 20.0, 3.0, 40.0]))
#run: last_seen(np.array([0.9, 0.7, 0.1, 0.2]))
#run: last_seen(np.array([0.1, 0.2]))
#run: caught(np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 2.0, 4.0, 8.0]))
#run: caught(np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 2.0, 0.0, 8.0]))
#run: floor_parts(np.array([7.5, -7.5, 3.0, 10.0]), np.array([2.0, 2.0, -4.0, 3.5]))
#run: floor_parts(np.array([7.5, -7.5]), np.array([2.0, 0.0]))
#run: int_counts(np.arange(-20, 50, dtype=np.int64), 1)
#run: int_counts(np.arange(-20, 50, dtype=np.int64), 3)
#run: strided_ratio(np.arange(1.0, 21.0).reshape(10, 2))
#run: strided_ratio(np.array([[1.0, 2.0], [0.0, 3.0]]))


#export far_offset(float64[:], int, int, int)
def far_offset(a, start, stop, c):
    # Indexes near the ends of int64: the check before the loop must not be fooled by a wrap.
    s = 0.0
    for i in range(start, stop):
        s += a[i + 4611686018427387904] / 2.0
    return s

#run: far_offset(np.arange(4.0), -4611686018427387904, -4611686018427387900, 0)
#run: far_offset(np.arange(4.0), -4611686018427387904, -4611686018427387899, 0)


#export each_root(float64[:])
def each_root(x):
    s = 0.0
    for v in x:
        if v > 0.25:
            s += math.sqrt(v) / v
    return s

#run: each_root(np.linspace(0.0, 2.0, 41))
#run: each_root(np.array([1.0, -4.0, 0.5]))
#run: each_root(np.array([1.0, 0.0, 0.5]))


def frozen(a):
    a.flags.writeable = False
    return a


#export divide_into(float64[:], float64[:], float64[:])
def divide_into(out, a, b):
    # A loop that stores: its checks run first, then the stores with every check known to pass.
    for i in range(len(out)):
        out[i] = float(a[i]) / float(b[i])


#export divide_catching(float64[:], float64[:], float64[:])
def divide_catching(out, a, b):
    # The elements before the failing one are written, the rest are not, as in Python.
    try:
        for i in range(len(out)):
            out[i] = float(a[i]) / float(b[i])
    except ZeroDivisionError:
        return -1.0
    return 1.0


#export inverse_into(float64[:], float64[:])
def inverse_into(out, a):
    for i in range(len(out)):
        out[i] = 1.0 / float(a[i]) - 1.0


#export clipped_roots(float64[:], float64[:], float)
def clipped_roots(out, x, lo):
    for i in range(len(x)):
        if x[i] > lo:
            out[i] = math.sqrt(x[i]) / x[i]
        else:
            out[i] = 0.0


#export scatter(float64[:], int64[:], float64[:])
def scatter(out, idx, v):
    for i in range(len(idx)):
        out[idx[i]] = v[i] * 2.0

#run: divide_into(np.zeros(6), np.arange(6.0), np.arange(1.0, 7.0))
#run: divide_into(np.zeros(6), np.arange(6.0), np.array([1.0, 2.0, 0.0, 4.0, 5.0, 6.0]))
#run: divide_into(np.zeros(6), np.arange(5.0), np.arange(1.0, 7.0))
#run: divide_into(frozen(np.zeros(3)), np.arange(3.0), np.arange(1.0, 4.0))
#run: divide_catching(np.zeros(6), np.arange(6.0), np.array([1.0, 2.0, 0.0, 4.0, 5.0, 6.0]))
#run: divide_catching(np.zeros(6), np.arange(6.0), np.arange(1.0, 7.0))
#run: (lambda v: (inverse_into(v[1:], v[:-1]), v)[1])(np.array([2.0, 0.5, 4.0, 1.0]))
#run: (lambda v: (inverse_into(v[1:], v[:-1]), v)[1])(np.array([1.0, 5.0, 7.0]))
#run: (lambda v: (divide_into(v, v, np.full(4, 2.0)), v)[1])(np.arange(4.0))
#run: clipped_roots(np.zeros(5), np.array([0.1, 0.9, 4.0, 0.2, 9.0]), 0.5)
#run: clipped_roots(np.zeros(5), np.array([0.1, 0.9, 4.0, 0.2, 9.0]), -1.0)
#run: scatter(np.zeros(5), np.array([4, 0, 2], dtype=np.int64), np.array([1.0, 2.0, 3.0]))
#run: scatter(np.zeros(5), np.array([4, 9, 2], dtype=np.int64), np.array([1.0, 2.0, 3.0]))
#run: scatter(np.zeros(5), np.array([4, -1, 2], dtype=np.int64), np.array([1.0, 2.0, 3.0]))


#export accumulate_ratio(float64[:], float64[:], float64[:])
def accumulate_ratio(out, a, b):
    # `out[i] += v`: the element read and written, nothing else of `out` read.
    for i in range(len(out)):
        out[i] += float(a[i]) / float(b[i])


#export scaled_rows(float64[:, :], float64[:], float)
def scaled_rows(m, w, f):
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            m[i, j] *= float(w[j]) / f


#export counts_by_bucket(int64[:], float64[:])
def counts_by_bucket(counts, x):
    for i in range(len(x)):
        if x[i] > 0.5:
            counts[i] += 1
        else:
            counts[i] -= 1

#run: accumulate_ratio(np.ones(5), np.arange(5.0), np.arange(1.0, 6.0))
#run: accumulate_ratio(np.ones(5), np.arange(5.0), np.array([1.0, 2.0, 0.0, 4.0, 5.0]))
#run: accumulate_ratio(frozen(np.ones(3)), np.arange(3.0), np.arange(1.0, 4.0))
#run: (lambda v: (accumulate_ratio(v[1:], v[:-1], np.full(4, 2.0)), v)[1])(np.arange(5.0))
#run: scaled_rows(np.arange(12.0).reshape(3, 4), np.array([1.0, 2.0, 3.0, 4.0]), 2.0)
#run: scaled_rows(np.arange(12.0).reshape(3, 4), np.array([1.0, 2.0, 3.0]), 2.0)
#run: scaled_rows(np.arange(12.0).reshape(3, 4), np.array([1.0, 2.0, 3.0, 4.0]), 0.0)
#run: counts_by_bucket(np.zeros(6, dtype=np.int64), np.array([0.1, 0.9, 0.6, 0.2, 0.7, 0.3]))
#run: counts_by_bucket(np.zeros(4, dtype=np.int64), np.array([0.1, 0.9, 0.6, 0.2, 0.7, 0.3]))


#export shifted_into(int64[:], int64[:], int)
def shifted_into(out, a, k):
    # A shift's count is checked (ValueError when negative) even where every index is known.
    for i in range(len(out)):
        out[i] = int(a[i]) << k

#run: shifted_into(np.zeros(4, dtype=np.int64), np.arange(4, dtype=np.int64), 2)
#run: shifted_into(np.zeros(4, dtype=np.int64), np.arange(4, dtype=np.int64), -1)


#export next_row_half(float64[:, ::1], float64[:, ::1], int)
def next_row_half(out, u, rows):
    # `u[i + 1, j]` in the `j` loop: i + 1 does not change there and is checked before it; the
    # last row's i + 1 is out of range, where Python raises IndexError after the rows before.
    for i in range(rows):
        for j in range(u.shape[1]):
            out[i, j] = u[i + 1, j] / 2.0

#run: next_row_half(np.zeros((3, 4)), np.arange(12.0).reshape(3, 4), 2)
#run: next_row_half(np.zeros((3, 4)), np.arange(12.0).reshape(3, 4), 3)


#export divide_in_place(float64[:], float64[:])
def divide_in_place(out, b):
    # The division is in the augmented assignment itself: its check must still run.
    for i in range(len(out)):
        out[i] /= float(b[i])


#export scaled_copy(float64[:], float64[:])
def scaled_copy(out, a):
    for i in range(len(out)):
        t = 1.0
        t /= float(a[i])
        out[i] = t

#run: divide_in_place(np.arange(1.0, 5.0), np.array([2.0, 4.0, 8.0, 16.0]))
#run: scaled_copy(np.zeros(4), np.array([2.0, 4.0, 8.0, 16.0]))
#run: scaled_copy(np.zeros(4), np.array([2.0, 4.0, 0.0, 16.0]))
