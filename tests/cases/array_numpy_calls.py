"""numpy functions numpy computes, with results held natively: `np.dot`, `@`, `np.linalg.norm`,
`np.outer`, `np.linspace`, `np.concatenate`/`stack`, `reshape`/`ravel`/`flatten`/`transpose`,
`np.cumsum`, `prod`, `std`/`var`, `np.sort`/`argsort`, `np.array([...])`, numpy's scalar types,
and reductions pyaot leaves to numpy (a float sum of a 2-D array, the mean of ints, axes of a
3-D array). The code after each call reads the result natively (indexes, loops, arithmetic)."""
import numpy as np


#export products(float64[:, :], float64[:], int32[:])
def products(m, v, k):
    r = m @ v
    s = np.dot(v, v)
    g = m.T @ m
    t = 0.0
    for i in range(r.shape[0]):
        t += r[i] * (i + 1)
    kk = np.dot(k, k)
    return r, s, g, t, g[0, 0] + g[-1, -1], kk, m.dot(v), np.matmul(m, v), k @ k.astype(np.float32)

#run: products(np.arange(12.0).reshape(3, 4) / 7.0, np.linspace(-1.0, 2.0, 4), np.array([40000, 3, -5], np.int32))
#run: products(np.arange(12.0).reshape(3, 4)[:, ::2], np.array([1.0, 2.0]), np.array([7], np.int32))
#run: products(np.zeros((0, 3)), np.ones(3), np.zeros(0, np.int32))
#run: products(np.ones((2, 3)), np.ones(4), np.ones(1, np.int32))


#export norms(float64[:], float32[:], int64[:, :])
def norms(x, f, m):
    return (np.linalg.norm(x), np.linalg.norm(f), np.linalg.norm(m, axis=1), np.outer(x, x),
            x.std(), np.var(x), np.std(m, axis=0), x.std(ddof=1), m.prod(), np.prod(x), m.prod(axis=1))

#run: norms(np.linspace(-2.0, 3.0, 9), np.arange(5, dtype=np.float32) / 3, np.arange(6).reshape(2, 3) - 2)
#run: norms(np.array([1e300, 1e300]), np.ones(1, np.float32), np.ones((1, 1), np.int64))


#export shapes(float64[:], int64)
def shapes(a, n):
    m = a.reshape((2, -1))
    q = np.reshape(a, (n, a.shape[0] // n))
    f = m.flatten()
    r = m.T.ravel()
    acc = 0.0
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            acc += m[i, j] * (i - j)
    m[0, 0] = -1.0
    return m, q.sum(), f, r, acc, m.transpose(), a

#run: shapes(np.arange(8.0), 4)
#run: shapes(np.arange(8.0), 3)
#run: shapes(np.arange(6.0), 1)


#export strided_reshape(float64[:])
def strided_reshape(a):
    # A view that reshape must copy: the copy, not the caller's memory, changes.
    m = a[::2].reshape(2, 2)
    m[1, 1] = 99.0
    return m, a

#run: strided_reshape(np.arange(8.0))


#export made(int64, float64)
def made(n, x):
    t = np.linspace(0.0, x, n)
    u = np.linspace(1, 2, 5, endpoint=False)
    p = np.array([1.0, 2.0, x])
    q = np.array([[1, 2], [3, n]])
    b = np.array([True, False])
    e = np.eye(3)
    z = np.array([1, 2], dtype=np.float32)
    total = 0.0
    for i in range(t.shape[0]):
        total += t[i]
    return t, u, p, q, b, e, total, p.dtype == np.float64, z, np.float64(n) / 3.0, np.int32(n), np.float32(x) * 1.0

#run: made(5, 2.5)
#run: made(1, -1.0)
#run: made(0, 1.0)


#export joined(float64[:], float64[:], int32[:])
def joined(a, b, k):
    c = np.concatenate((a, b))
    d = np.concatenate([a, b, a])
    e = np.concatenate((a, k))
    s = np.stack((a, a))
    v = np.vstack((a, a))
    h = np.hstack((a, b))
    return c, d, e, s, v, h, c[-1] + d[0], c.shape[0]

#run: joined(np.arange(3.0), np.ones(2), np.array([7, 8], np.int32))
#run: joined(np.zeros(0), np.ones(1), np.zeros(0, np.int32))
#run: joined(np.ones(2), np.ones(3), np.ones(2, np.int32))


#export cumulative(float64[:], int8[:], float64[:, :])
def cumulative(x, k, m):
    c = np.cumsum(x)
    ck = np.cumsum(k)
    cp = x.cumprod()
    cm = np.cumsum(m, axis=0)
    return c, ck, cp, cm, c[-1] if c.shape[0] > 0 else 0.0, ck.dtype == np.int64

#run: cumulative(np.array([0.1, 0.2, 0.3, 0.4]), np.array([100, 100, 100], np.int8), np.arange(6.0).reshape(3, 2))
#run: cumulative(np.zeros(0), np.zeros(0, np.int8), np.zeros((0, 2)))


#export ordered(float64[:], int32[:])
def ordered(x, k):
    s = np.sort(x)
    i = np.argsort(x)
    x.sort()
    u = np.unique(k)
    best = s[0] if s.shape[0] > 0 else 0.0
    return s, i, x, u, best, np.searchsorted(s, 0.5), np.flip(s), np.diff(k)

#run: ordered(np.array([3.0, -1.0, 2.0, 0.5]), np.array([3, 1, 3, 2], np.int32))
#run: ordered(np.array([np.nan, 1.0]), np.array([5], np.int32))


#export reduced(float64[:, :], int32[:], float64[:, :, :])
def reduced(m, k, c):
    # numpy computes these (its own summation order); the results are native numbers and arrays.
    return np.sum(m), m.sum() * 2.0, np.mean(k), k.mean(), np.sum(c, axis=1), c.max(axis=0), np.mean(c, axis=2), np.argmax(m, axis=1)

#run: reduced(np.sin(np.arange(20000.0)).reshape(100, 200), np.array([1, 2, 4], np.int32), np.arange(24.0).reshape(2, 3, 4))
#run: reduced(np.asfortranarray(np.sin(np.arange(20000.0)).reshape(100, 200)), np.zeros(0, np.int32), np.zeros((2, 0, 3)))


#export randoms(int64)
def randoms(n):
    np.random.seed(12)
    a = np.random.rand(n)
    b = np.random.random((2, n))
    c = np.random.randint(0, 10, n)
    d = np.random.uniform(-1.0, 1.0, size=n)
    e = np.random.normal(0.0, 1.0)
    return a, b, c, d, e, a.sum() + b[1, 0]

#run: randoms(3)


#export bad_product(float64[:, :], float64[:])
def bad_product(m, v):
    r = m @ v
    return r[0]

#run: bad_product(np.ones((2, 3)), np.ones(2))


#export object_matmul(int64)
def object_matmul(n):
    # `@` of Python objects is Python's own operator: TypeError for lists.
    return [n] @ [n]

#run: object_matmul(3)


#export keywords(float64[:, :], int16[:, :], float32[:, :, :])
def keywords(m, k, c):
    # Reductions with keywords pyaot leaves to numpy: the results are still native.
    col = np.sum(m, axis=0, keepdims=True)
    centered = m - np.mean(m, axis=1, keepdims=True)
    return (col, centered, np.sum(k, dtype=np.int16), k.sum(axis=1, dtype=np.float64),
            np.max(c, axis=(0, 2)), c.mean(axis=(1, 2), keepdims=True), np.any(m > 2.0, axis=0, keepdims=True),
            np.argmax(k, axis=1, keepdims=True), np.std(m, axis=0, ddof=1), np.nansum(m), np.ptp(k, axis=0))

#run: keywords(np.arange(12.0).reshape(3, 4) / 3.0, np.array([[30000, 30000], [1, -7]], np.int16), np.arange(24, dtype=np.float32).reshape(2, 3, 4))
#run: keywords(np.array([[np.nan, 1.0]]), np.array([[5]], np.int16), np.zeros((1, 1, 1), np.float32))
