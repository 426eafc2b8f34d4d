"""`out = np.zeros(shape)` followed by loops that assign a rectangle of it: the array comes
uninitialized from numpy and only its border is zeroed (codegen/overwrite.rs). Every shape,
margin and dtype must give Python's array; errors in the loop, handlers and reads of the
array keep the plain zero fill."""
import numpy as np


#export stencil(float64[:, :])
def stencil(u):
    n, m = u.shape
    out = np.zeros((n, m))
    for i in range(1, n - 1):
        for j in range(1, m - 1):
            out[i, j] = 0.25 * (u[i - 1, j] + u[i + 1, j] + u[i, j - 1] + u[i, j + 1])
    return out

#run: stencil(np.arange(30.0).reshape(5, 6) ** 1.5)
#run: stencil(np.arange(9.0).reshape(3, 3) + 1.0)
#run: stencil(np.arange(10.0).reshape(2, 5) + 1.0)
#run: stencil(np.arange(10.0).reshape(5, 2) + 1.0)
#run: stencil(np.ones((1, 1)))
#run: stencil(np.ones((0, 4)))
#run: stencil(np.ones((4, 0)))


#export margins(float64[:, :])
def margins(u):
    # Wider and uneven margins; none on the right.
    n, m = u.shape
    out = np.zeros((n, m))
    for i in range(2, n - 3):
        for j in range(1, m):
            out[i, j] = u[i, j] * 2.0 + i
    return out

#run: margins(np.arange(80.0).reshape(10, 8))
#run: margins(np.arange(20.0).reshape(5, 4))
#run: margins(np.arange(12.0).reshape(6, 2))
#run: margins(np.arange(8.0).reshape(2, 4))


#export whole(int, int)
def whole(n, m):
    # Every element written: nothing left to zero.
    out = np.zeros((n, m), dtype=np.int64)
    for i in range(n):
        for j in range(m):
            out[i, j] = i * 10 + j
    return out

#run: whole(3, 4)
#run: whole(0, 4)
#run: whole(1, 1)


#export line(float64[:])
def line(x):
    n = len(x)
    out = np.zeros(n)
    for j in range(1, n - 1):
        out[j] = x[j - 1] - x[j + 1]
    return out

#run: line(np.arange(8.0) ** 2)
#run: line(np.arange(2.0))
#run: line(np.arange(1.0))
#run: line(np.arange(0.0))


#export complex_grid(int, int)
def complex_grid(n, m):
    out = np.zeros((n, m), dtype=np.complex128)
    for i in range(1, n):
        for j in range(1, m - 1):
            out[i, j] = complex(i, j)
    return out

#run: complex_grid(4, 5)
#run: complex_grid(1, 5)


#export fails_inside(float64[:, :], int)
def fails_inside(u, stop):
    # The loop raises part way: the exception leaves the function, the array is never seen.
    n, m = u.shape
    out = np.zeros((n, m))
    for i in range(1, n - 1):
        for j in range(1, m - 1):
            if i * m + j > stop:
                raise ValueError("stop")
            out[i, j] = u[i, j]
    return out

#run: fails_inside(np.arange(30.0).reshape(5, 6), 14)
#run: fails_inside(np.arange(30.0).reshape(5, 6), 100)


#export caught(float64[:, :], int)
def caught(u, stop):
    # A handler could see the array half written: it is zero-filled as written.
    n, m = u.shape
    out = np.zeros((n, m))
    try:
        for i in range(1, n - 1):
            for j in range(1, m - 1):
                out[i, j] = float(u[i, j]) / (stop - i * m - j)
    except ZeroDivisionError:
        return out
    return out

#run: caught(np.arange(30.0).reshape(5, 6) + 1.0, 15)
#run: caught(np.arange(30.0).reshape(5, 6) + 1.0, 1000)


#export reads_itself(int, int)
def reads_itself(n, m):
    # The loop reads the array it writes: it needs the zeros.
    out = np.zeros((n, m))
    for i in range(1, n):
        for j in range(m):
            out[i, j] = out[i - 1, j] + j
    return out

#run: reads_itself(4, 3)


#export other_length(float64[:, :], int)
def other_length(u, k):
    # The loop runs to another bound than the array's: zero-filled as written.
    n, m = u.shape
    out = np.zeros((n, m))
    for i in range(1, k):
        for j in range(1, m - 1):
            out[i, j] = u[i, j]
    return out

#run: other_length(np.arange(30.0).reshape(5, 6), 3)
#run: other_length(np.arange(30.0).reshape(5, 6), 9)
