"""Arrays a function makes and then only indexes element by element, measures or returns are
known not to overlap any other array (codegen/fresh.rs). Every other use of such a variable (a
second name, a view, a loop over it, a call) must give up that claim: these functions write
through one and read through the other, where a wrong claim would let LLVM reorder the two."""
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

#run: matmul(np.arange(6.0).reshape(2, 3), np.arange(12.0).reshape(3, 4))
#run: matmul(np.arange(6.0).reshape(2, 3), np.arange(8.0).reshape(2, 4))


#export two_new(float64[:])
def two_new(x):
    # Two new arrays and an argument: each is told apart from the others.
    n = len(x)
    s = np.empty(n)
    d = np.zeros(n)
    for i in range(n):
        s[i] = x[i] + 1.0
        d[i] = s[i] * x[i]
    total = 0.0
    for i in range(d.shape[0]):
        total += d[i] - s[i]
    return total


#export second_name(float64[:])
def second_name(x):
    # `d = c`: writes through d are reads through c.
    n = len(x)
    c = np.zeros(n)
    d = c
    for i in range(n):
        d[i] = x[i] * 2.0
        x[i] = c[i] + 1.0
    return c


#export through_a_row(float64[:, :])
def through_a_row(x):
    # A row of the new array is a view of it.
    c = np.zeros((2, x.shape[1]))
    row = c[1]
    for j in range(x.shape[1]):
        row[j] = x[0, j] + 1.0
        c[0, j] = c[1, j] * 3.0
    return c


#export first_of(float64[:])
def first_of(v):
    return v[0]


#export set_first(float64[:], float64)
def set_first(v, x):
    v[0] = x


#export passed_on(float64[:])
def passed_on(x):
    # The new array goes to another function, which writes it.
    c = np.zeros(len(x))
    t = 0.0
    for i in range(len(x)):
        set_first(c, x[i])
        t += c[0] + first_of(c)
    return t


#export looped_over(float64[:])
def looped_over(x):
    c = x.copy()
    t = 0.0
    for v in c:
        c[0] = v + 1.0
        t += c[0]
    return t


#export shifted_sum(float64[:])
def shifted_sum(x):
    # Reads of the array's own earlier elements: one array, no claim between its accesses.
    c = np.empty(len(x))
    c[0] = x[0]
    for i in range(1, len(x)):
        c[i] = c[i - 1] + x[i]
    return c


#export new_each_round(float64[:], int)
def new_each_round(x, rounds):
    # A new array every round: each round's reads are of that round's array.
    out = np.zeros(len(x))
    for r in range(rounds):
        out = np.empty(len(x))
        for i in range(len(x)):
            out[i] = x[i] * r
        for i in range(len(x)):
            x[i] = out[i] + 1.0
    return out


#export copied_then_scaled(float64[:], float64)
def copied_then_scaled(x, k):
    y = x.copy()
    for i in range(len(y)):
        y[i] *= k
        x[i] = y[i] - x[i]
    return y


#export out_of_range(float64[:])
def out_of_range(x):
    c = np.zeros(3)
    for i in range(len(x)):
        c[i] = x[i]
    return c

#run: two_new(np.arange(5.0))
#run: second_name(np.arange(5.0))
#run: through_a_row(np.arange(8.0).reshape(2, 4))
#run: passed_on(np.arange(1.0, 6.0))
#run: looped_over(np.arange(4.0))
#run: shifted_sum(np.arange(9.0))
#run: new_each_round(np.arange(6.0), 3)
#run: copied_then_scaled(np.arange(7.0), 0.5)
#run: out_of_range(np.arange(3.0))
#run: out_of_range(np.arange(4.0))
