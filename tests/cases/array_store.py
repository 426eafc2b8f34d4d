"""Element assignment and augmented assignment, with numpy's casts; read-only arrays refuse writes."""
import numpy as np


#export fill(float64[:], float)
def fill(a, v):
    for i in range(len(a)):
        a[i] = v * i


#export scale2d(float64[:, :], float)
def scale2d(a, k):
    n, m = a.shape
    for i in range(n):
        for j in range(m):
            a[i, j] *= k


#export to_ints(int32[:], float)
def to_ints(a, x):
    for i in range(len(a)):
        a[i] = x * i


#export bump(uint8[:])
def bump(a):
    for i in range(len(a)):
        a[i] += 100


#export flags(bool[:], int)
def flags(a, k):
    for i in range(len(a)):
        a[i] = i % k == 0
    return a[0]


#export set_neg(float32[:])
def set_neg(a):
    a[-1] = 1.5
    a[-2] -= 0.25

#run: fill(np.zeros(5), 0.5)
#run: fill(np.zeros(10)[::2], 1.0)
#run: fill(np.zeros(6)[::-1], 2.0)
#run: scale2d(np.ones((3, 4)), 2.5)
#run: scale2d(np.asfortranarray(np.arange(6.0).reshape(2, 3)), -1.0)
#run: to_ints(np.zeros(5, dtype=np.int32), 1.7)
#run: to_ints(np.zeros(5, dtype=np.int32), -1.7)
#run: bump(np.array([1, 100, 200, 255], dtype=np.uint8))
#run: flags(np.zeros(7, dtype=bool), 3)
#run: set_neg(np.zeros(3, dtype=np.float32))
#run: fill(np.zeros(3), float('nan'))
#run: fill(np.array([1.0, 2.0]).view(), 3.0)
