"""Basic slicing gives views: a[1:-1], a[::2], a[::-1], a[i, :], a[:, j], empty and clamped slices."""
import numpy as np


def total(a):
    s = 0.0
    for i in range(len(a)):
        s = s * 2.0 + a[i]
    return s


#export slices(float64[:])
def slices(a):
    return total(a[1:-1]), total(a[::2]), total(a[::-1]), total(a[-3:]), total(a[:100]), total(a[5:2]), total(a[7:1:-2])


#export parts(float64[:, :], int)
def parts(a, k):
    return total(a[k, :]), total(a[:, k]), total(a[k]), total(a[::-1, k]), total(a[k, ::-2])


#export step(float64[:], int)
def step(a, s):
    return total(a[::s])


#export write_view(float64[:])
def write_view(a):
    v = a[1::2]
    for i in range(len(v)):
        v[i] = -1.0


#export view_out(float64[:])
def view_out(a):
    return a[2:], a[::-1], a[1:4:2]


#export row_out(float64[:, :], int)
def row_out(a, i):
    return a[i], a[:, i], a.T

#run: slices(np.arange(10.0))
#run: slices(np.arange(3.0))
#run: slices(np.zeros(0))
#run: parts(np.arange(20.0).reshape(4, 5), 1)
#run: parts(np.arange(20.0).reshape(4, 5), -1)
#run: step(np.arange(10.0), 3)
#run: step(np.arange(10.0), -4)
#run: step(np.arange(10.0), 0)
#run: write_view(np.zeros(7))
#run: view_out(np.arange(6.0))
#run: row_out(np.arange(6.0).reshape(2, 3), 1)
#run: view_out(np.arange(12.0)[::2])
#run: row_out(np.arange(12.0).reshape(3, 4)[:, ::2], 1)
#run: row_out(np.asfortranarray(np.arange(12.0).reshape(3, 4)), 0)
#run: (lambda x: (row_out(x, 1)[0].__setitem__(0, -5.0), x)[1])(np.arange(12.0).reshape(3, 4)[::-1, ::2])
