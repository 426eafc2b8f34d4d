"""A `for` loop whose body computes a few numbers and then runs an inner loop storing along a
row (matmul's `k` loop) runs two iterations per round with their inner loops fused
(codegen/jam.rs). Odd and empty counts, errors in either iteration of a round, arrays that
overlap, handlers that look at the results, and the locals after the loop must all be Python's."""
import numpy as np


#export matmul(float64[:, :], float64[:, :])
def matmul(a, b):
    n, m = a.shape
    p = b.shape[1]
    c = np.zeros((n, p))
    for i in range(n):
        for k in range(m):
            aik = a[i, k]
            for j in range(p):
                c[i, j] += aik * b[k, j]
    return c

#run: matmul(np.arange(12.0).reshape(3, 4) / 7, np.arange(20.0).reshape(4, 5) / 3)
#run: matmul(np.arange(15.0).reshape(3, 5) / 7, np.arange(35.0).reshape(5, 7) / 3)
#run: matmul(np.arange(3.0).reshape(3, 1), np.arange(5.0).reshape(1, 5))
#run: matmul(np.zeros((2, 0)), np.zeros((0, 3)))
#run: matmul(np.arange(6.0).reshape(2, 3), np.zeros((3, 0)))
#run: matmul(np.linspace(-1, 1, 30).reshape(5, 6), np.linspace(2, -3, 48).reshape(6, 8))
#run: matmul(np.arange(12.0).reshape(3, 4), np.arange(15.0).reshape(3, 5))
#run: matmul(np.arange(12.0).reshape(3, 4), np.arange(10.0).reshape(2, 5))
#run: matmul(np.arange(24.0).reshape(4, 6)[:, ::2], np.arange(40.0).reshape(5, 8)[::2, 1:])


#export into(float64[:, :], float64[:, :], float64[:, :])
def into(a, b, c):
    # The result array comes from the caller and may be one of the inputs: rounds whose arrays
    # overlap run as written.
    n, m = a.shape
    p = b.shape[1]
    for i in range(n):
        for k in range(m):
            aik = a[i, k]
            for j in range(p):
                c[i, j] += aik * b[k, j]
    return c[0, 0]

#run: into(np.arange(12.0).reshape(3, 4) / 7, np.arange(20.0).reshape(4, 5) / 3, np.ones((3, 5)))
#run: into(np.arange(16.0).reshape(4, 4) / 7, np.arange(16.0).reshape(4, 4) / 3, np.zeros((4, 4)))
#run: into(np.arange(12.0).reshape(3, 4) / 7, np.arange(20.0).reshape(4, 5) / 3, np.ones((2, 5)))
#run: into(np.arange(12.0).reshape(3, 4) / 7, np.arange(20.0).reshape(4, 5) / 3, np.ones((3, 4)))


#export same_array(float64[:, :])
def same_array(a):
    # c is a: every round reads what it writes.
    n, m = a.shape
    for i in range(n):
        for k in range(m):
            aik = a[i, k]
            for j in range(m):
                a[i, j] += aik * a[k, j]
    return a

#run: same_array(np.arange(16.0).reshape(4, 4) / 5)
#run: same_array(np.arange(25.0).reshape(5, 5) / 5)


#export read_only(float64[:, :], float64[:, :], float64[:, :])
def read_only(a, b, c):
    for k in range(a.shape[1]):
        aik = a[0, k]
        for j in range(b.shape[1]):
            c[0, j] += aik * b[k, j]
    return c


def frozen(a):
    a.flags.writeable = False
    return a

#run: read_only(np.ones((1, 3)), np.ones((3, 4)), frozen(np.zeros((1, 4))))
#run: read_only(np.ones((1, 4)), np.ones((4, 4)), frozen(np.zeros((1, 4))))
#run: read_only(np.ones((1, 3)), np.ones((3, 0)), frozen(np.zeros((1, 4))))


#export last_values(float64[:], float64[:, :])
def last_values(a, b):
    # After the loop: the loop variables and the prefix's locals as the last iteration left them.
    m = len(a)
    p = b.shape[1]
    out = np.zeros(p)
    k = -1
    j = -1
    x = -1.0
    y = -1.0
    for k in range(m):
        x = a[k] * 2.0
        y = x + 1.0
        for j in range(p):
            out[j] += x * b[k, j] - y
    return out, k, j, x, y

#run: last_values(np.arange(5.0), np.arange(15.0).reshape(5, 3))
#run: last_values(np.arange(4.0), np.arange(12.0).reshape(4, 3))
#run: last_values(np.arange(4.0), np.arange(0.0).reshape(4, 0))
#run: last_values(np.arange(0.0), np.arange(0.0).reshape(0, 3))
#run: last_values(np.arange(1.0), np.arange(3.0).reshape(1, 3))


#export wraps(float64[:], float64[:, :])
def wraps(a, b):
    # a[k - 1] is a[-1] at k = 0: the round runs as written, which wraps as Python does.
    p = b.shape[1]
    out = np.zeros(p)
    for k in range(b.shape[0]):
        w = a[k - 1]
        for j in range(p):
            out[j] += w * b[k, j]
    return out

#run: wraps(np.arange(1.0, 6.0), np.arange(15.0).reshape(5, 3))
#run: wraps(np.arange(1.0, 4.0), np.arange(15.0).reshape(5, 3))


#export caught(float64[:, :], float64[:, :])
def caught(a, b):
    # A handler sees the result as far as Python got: every iteration before the failing one.
    n, m = a.shape
    p = b.shape[1]
    c = np.zeros((n, p))
    k = -1
    try:
        for k in range(m):
            aik = a[0, k]
            for j in range(p):
                c[0, j] += aik * b[k, j]
    except IndexError:
        return c, k, -1
    return c, k, 0

#run: caught(np.arange(5.0).reshape(1, 5), np.arange(12.0).reshape(3, 4))
#run: caught(np.arange(5.0).reshape(1, 5), np.arange(20.0).reshape(5, 4))
#run: caught(np.arange(4.0).reshape(1, 4), np.arange(12.0).reshape(3, 4))


#export ints(int64[:, :], int64[:, :])
def ints(a, b):
    n, m = a.shape
    p = b.shape[1]
    c = np.zeros((n, p), dtype=np.int64)
    for i in range(n):
        for k in range(m):
            aik = a[i, k]
            for j in range(p):
                c[i, j] += aik * b[k, j]
    return c

#run: ints(np.arange(12, dtype=np.int64).reshape(3, 4), np.arange(20, dtype=np.int64).reshape(4, 5))
#run: ints(np.arange(15, dtype=np.int64).reshape(3, 5), np.arange(15, dtype=np.int64).reshape(5, 3))


#export rows_of_k(float64[:, :], float64[:])
def rows_of_k(b, w):
    # Each iteration stores its own row: no element is shared between the two of a round.
    m, p = b.shape
    out = np.zeros((m, p))
    for k in range(m):
        s = w[k] * 0.5
        for j in range(p):
            out[k, j] = s * b[k, j] + j
    return out

#run: rows_of_k(np.arange(15.0).reshape(5, 3), np.arange(5.0))
#run: rows_of_k(np.arange(15.0).reshape(5, 3), np.arange(4.0))


#export triangle(float64[:, :])
def triangle(b):
    # The inner range depends on k: not fused, still Python.
    m, p = b.shape
    out = np.zeros(p)
    for k in range(m):
        s = k * 0.5
        for j in range(min(k, p)):
            out[j] += s * b[k, j]
    return out

#run: triangle(np.arange(20.0).reshape(5, 4))
