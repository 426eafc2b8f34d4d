"""Triple-loop matrix product (i, k, j order, so the inner loop walks rows)."""
import numpy as np


#pythran export matmul(float64[:, :], float64[:, :])
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
