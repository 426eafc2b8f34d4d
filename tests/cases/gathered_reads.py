"""Speculative loops that read down a column (`pos[j, 0]`, the index moving on an axis that is
not the last) of a C-contiguous array: the vectorizer gathers the elements. Sums keep their
order, errors and the locals they leave must be Python's."""
import math
import numpy as np


#export forces(float64[:, :], float64[:], int)
def forces(pos, mass, i):
    n = pos.shape[0]
    ax = 0.0
    ay = 0.0
    az = 0.0
    for j in range(n):
        if i != j:
            dx = pos[j, 0] - pos[i, 0]
            dy = pos[j, 1] - pos[i, 1]
            dz = pos[j, 2] - pos[i, 2]
            d2 = dx * dx + dy * dy + dz * dz + 1e-3
            inv = mass[j] / (d2 * math.sqrt(d2))
            ax += dx * inv
            ay += dy * inv
            az += dz * inv
    return ax, ay, az

#run: forces(np.linspace(0.0, 1.0, 33).reshape(11, 3) ** 2, np.linspace(1.0, 2.0, 11), 3)
#run: forces(np.linspace(0.0, 1.0, 30).reshape(10, 3) ** 2, np.linspace(1.0, 2.0, 10), 0)
#run: forces(np.linspace(0.0, 1.0, 6).reshape(2, 3), np.linspace(1.0, 2.0, 2), 1)
#run: forces(np.linspace(0.0, 1.0, 33).reshape(11, 3) ** 2, np.linspace(1.0, 2.0, 9), 3)
#run: forces(np.linspace(0.0, 1.0, 33).reshape(11, 3) ** 2, np.linspace(1.0, 2.0, 11), 11)
#run: forces(np.linspace(0.0, 1.0, 44).reshape(11, 4) ** 2, np.linspace(1.0, 2.0, 11), 5)
#run: forces((np.linspace(0.0, 1.0, 66).reshape(11, 6) ** 2)[:, ::2], np.linspace(1.0, 2.0, 11), 5)


#export column_ratio(float64[:, :], int)
def column_ratio(a, c):
    # A division by a column element: a zero raises ZeroDivisionError where Python does.
    s = 0.0
    for j in range(a.shape[0]):
        s += 1.0 / float(a[j, c])
    return s

#run: column_ratio(np.arange(1.0, 25.0).reshape(8, 3), 1)
#run: column_ratio(np.arange(0.0, 24.0).reshape(8, 3), 0)
#run: column_ratio(np.arange(1.0, 25.0).reshape(8, 3), 3)
#run: column_ratio(np.arange(1.0, 25.0).reshape(8, 3), -1)


#export column_max_gap(float64[:, :])
def column_max_gap(a):
    # Both sides of an `if`, rows read two at a time.
    best = 0.0
    k = -1
    for j in range(a.shape[0] - 1):
        gap = math.sqrt(a[j + 1, 0] - a[j, 0]) if a[j + 1, 0] >= a[j, 0] else 0.0
        if gap > best:
            best = gap
            k = j
    return best, k

#run: column_max_gap(np.array([[0.0, 9.0], [1.0, 9.0], [5.0, 9.0], [4.0, 9.0], [10.0, 9.0], [10.5, 9.0]]))
#run: column_max_gap(np.zeros((1, 2)))
