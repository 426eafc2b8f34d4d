"""In-place scaling of a 2-D array: a strided-or-contiguous double loop, no allocation."""


#pythran export scale2d(float64[:, :], float)
def scale2d(a, k):
    n, m = a.shape
    for i in range(n):
        for j in range(m):
            a[i, j] *= k
