"""`for` loops whose body computes numbers, runs a `while` loop of such computations, then stores
or raises run four iterations side by side (codegen/lockstep.rs). Counts that are not a multiple
of four, lanes that finish at very different times, errors in the rest of an iteration, and the
locals' values after the loop must all be Python's."""
import numpy as np


#export escape_counts(int, int, float, float)
def escape_counts(width, limit, ci, scale):
    out = np.zeros(width, dtype=np.int64)
    for x in range(width):
        cr = -2.0 + scale * x / width
        zr = 0.0
        zi = 0.0
        k = 0
        while k < limit and zr * zr + zi * zi <= 4.0:
            zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
            k += 1
        out[x] = k
    return out

#run: escape_counts(7, 50, 0.1, 3.0)
#run: escape_counts(9, 100, -0.6, 3.0)
#run: escape_counts(16, 30, 0.0, 2.5)
#run: escape_counts(3, 10, 0.5, 3.0)
#run: escape_counts(0, 10, 0.5, 3.0)
#run: escape_counts(5, 0, 0.5, 3.0)
#run: escape_counts(6, 20, 0.5, 0.0)


#export last_values(int, int)
def last_values(n, limit):
    # After the loop the locals hold the last iteration's values, as in Python.
    total = 0
    k = -1
    y = 0.0
    for x in range(n):
        y = 1.0 + x
        k = 0
        while k < limit and y < 1000.0:
            y = y * 1.5 + 1.0
            k += 1
        total += k
    return total, k, y, x

#run: last_values(1, 20)
#run: last_values(4, 20)
#run: last_values(10, 20)
#run: last_values(11, 3)


#export stores_then_fails(int64[:], int)
def stores_then_fails(out, n):
    # `out` may be shorter than n: the IndexError comes after every store before it.
    for x in range(n):
        t = x * 0.25
        k = 0
        while t < 3.0:
            t = t + 0.5
            k += 1
        out[x] = k

#run: stores_then_fails(np.zeros(8, dtype=np.int64), 8)
#run: stores_then_fails(np.zeros(5, dtype=np.int64), 8)
#run: stores_then_fails(np.zeros(6, dtype=np.int64), 9)


#export divided_by(int, int)
def divided_by(n, d):
    # A division by a value the loop never changes, before the while loop: ZeroDivisionError
    # at the first iteration, and none when there is no iteration.
    s = 0.0
    for x in range(n):
        v = x / d
        k = 0
        while v < 10.0 and k < 100:
            v = v * 2.0 + 1.0
            k += 1
        s += v + k
    return s

#run: divided_by(9, 3)
#run: divided_by(9, 0)
#run: divided_by(0, 0)


#export some_never_start(float64[:], float64)
def some_never_start(out, cap):
    # Lanes whose condition is false from the start, next to lanes that run long.
    for x in range(len(out)):
        v = 1.0 if x < 2 or x > 6 else cap + 1.0
        steps = 0
        going = v < cap
        while going:
            v = v * 1.1
            steps = steps + 1
            going = v < cap
        out[x] = steps + v

#run: some_never_start(np.zeros(10), 50.0)
#run: some_never_start(np.zeros(3), 2.0)


#export wrapping(int)
def wrapping(n):
    # Integer lanes.
    acc = 0
    for x in range(n):
        h = x + 7
        r = 0
        while r < 5:
            h = h * 31 + r
            r += 1
        acc = acc ^ h
    return acc

#run: wrapping(9)
#run: wrapping(2)


#export reads_the_index(int)
def reads_the_index(n):
    out = []
    for x in range(n):
        a = 0
        b = 1
        while b < x * 10 + 2:
            a, b = b, a + b
        out.append(a)
    return out

#run: reads_the_index(13)


#export caught(int64[:], int)
def caught(out, n):
    # A handler around the loop sees the failing iteration's locals.
    x = -1
    k = -1
    try:
        for x in range(n):
            t = x * 0.5
            k = 0
            while t < 4.0:
                t = t + 1.0
                k += 1
            out[x] = k
    except IndexError:
        return x, k, -1
    return x, k, 0

#run: caught(np.zeros(6, dtype=np.int64), 10)
#run: caught(np.zeros(5, dtype=np.int64), 10)
#run: caught(np.zeros(10, dtype=np.int64), 10)


#export near_the_top(int, int)
def near_the_top(start, stop):
    # Lanes as close to the largest int64 as a range goes: no overflow in counting them.
    s = 0
    for x in range(start, stop):
        v = 0
        while v < 3:
            v += 1
        s += v + (x - start)
    return s

#run: near_the_top(9223372036854775800, 9223372036854775807)
#run: near_the_top(9223372036854775803, 9223372036854775807)
#run: near_the_top(-9223372036854775808, -9223372036854775801)


#export mixed_compare(int, float)
def mixed_compare(n, cap):
    # An int compared with a float: Python compares exactly, so these lanes run as scalar
    # code side by side rather than as vector code.
    out = []
    for x in range(n):
        steps = x
        v = 1.0
        while steps < cap:
            steps = steps + 2
            v = v * 1.5
        out.append((steps, v))
    return out

#run: mixed_compare(7, 9.5)
#run: mixed_compare(3, -1.0)


#export many_operations(int)
def many_operations(n):
    # Every kind of expression the vector code handles, in the condition and the body.
    total = 0.0
    flips = 0
    for x in range(n):
        a = x * 0.75 - 2.0
        b = -a
        m = 0
        odd = x & 1 == 1
        c = 0
        while not (abs(a) > 40.0 or c >= 12) and (odd or c < 9):
            a = max(a * 1.7, b) if c < 100 else a
            b = min(b - 0.5, a / 4.0)
            m = (m ^ c) | (c & 3)
            odd = not odd
            odd = min(odd, c < 7) if c > 5 else max(odd, c > 2)
            c += 1 + (odd and True) * 0
            a = a + float(c) - abs(-c)
        total += a + b
        flips += m + c + odd
    return total, flips

#run: many_operations(11)
#run: many_operations(4)


#export escape_rows(int, int, int)
def escape_rows(width, height, limit):
    # Lanes inside the body of a parallel loop (each row on some thread, its pixels in lanes).
    out = np.zeros((height, width), dtype=np.int64)
    #omp parallel for
    for y in range(height):
        ci = -1.5 + 3.0 * y / height
        for x in range(width):
            cr = -2.0 + 3.0 * x / width
            zr = 0.0
            zi = 0.0
            k = 0
            while k < limit and zr * zr + zi * zi <= 4.0:
                zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
                k += 1
            out[y, x] = k
    return out

#run: escape_rows(13, 9, 60)
#run: escape_rows(3, 2, 10)
