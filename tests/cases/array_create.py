"""Creating arrays: np.empty/zeros/ones/full (int or tuple shapes, dtypes), the *_like forms, arange, copy."""
import numpy as np


#export basics(int)
def basics(n):
    a = np.zeros(n)
    b = np.ones((n, 2), dtype=np.int32)
    c = np.full(n, 7)
    d = np.full((2, n), 0.5, dtype='float32')
    e = np.zeros(n, dtype=bool)
    f = np.ones(n, int)
    return a, b, c, d, e, f


#export likes(float64[:, :])
def likes(x):
    return np.zeros_like(x), np.ones_like(x, dtype=np.uint8), np.full_like(x, 3.0), np.empty_like(x).shape


#export ranges(int)
def ranges(n):
    return np.arange(n), np.arange(2, n), np.arange(n, 0, -3), np.arange(0.5, n), np.arange(n, dtype=np.float64)


#export squares(int)
def squares(n):
    out = np.empty(n, dtype=np.int64)
    for i in range(n):
        out[i] = i * i
    return out


#export copies(float64[:])
def copies(a):
    b = a[::-1].copy()
    b[0] = 100.0
    return b, a


#export grid(int, int)
def grid(n, m):
    g = np.zeros((n, m))
    for i in range(n):
        for j in range(m):
            g[i, j] = i * m + j
    return g

#run: basics(3)
#run: basics(0)
#run: likes(np.arange(6.0).reshape(2, 3))
#run: ranges(7)
#run: squares(6)
#run: copies(np.arange(4.0))
#run: grid(3, 4)
