"""`any(...)` and `all(...)` of a generator expression: compiled as loops that stop at the first
item that decides, as Python's lazy generator does, so what comes after it is never evaluated
(a division by zero there raises nothing). Written the way Pythran and Numba users write them."""
import numpy as np


#pythran export has_negative(float64[])
def has_negative(a):
    return any(x < 0.0 for x in a)


#pythran export all_positive(float64[])
def all_positive(a):
    return all(a[i] > 0.0 for i in range(len(a)))


#pythran export stops_early(int, float)
def stops_early(n, limit):
    # CPython stops at the first ratio above the limit: k = 3, a division by zero, is reached
    # only when nothing before it decided.
    return any(1.0 / (k - 3) > limit for k in range(n))


#pythran export all_stops_early(int, int)
def all_stops_early(n, t):
    return all(10 // (k - 2) < t for k in range(n))


#pythran export with_conditions(int64[], int)
def with_conditions(a, k):
    return any(v % k == 0 for v in a if v > 10)


#pythran export filtered_range(int, int)
def filtered_range(n, k):
    # The filter runs first: `v % k` only for v > 10 (k = 0 raises only if some v > 10).
    return any(v % k == 0 for v in range(n) if v > 10)


#pythran export nested(float64[:, :], float)
def nested(m, t):
    # Two loops: the inner one deciding ends the outer one too.
    return any(m[i, j] > t for i in range(m.shape[0]) for j in range(m.shape[1]))


#pythran export nested_all(float64[:, :], float)
def nested_all(m, t):
    return all(m[i, j] < t for i in range(m.shape[0]) if i % 2 == 0 for j in range(m.shape[1]))


#pythran export counted(int)
def counted(n):
    # The result is a bool, usable in arithmetic like any other.
    total = 0
    for k in range(n):
        if all(k % d != 0 for d in range(2, k)) and k > 1:
            total += k
    return total


#pythran export name_kept(float64[])
def name_kept(a):
    # The generator's variable does not leak: `x` keeps the value it had.
    x = 5.0
    found = any(x > 1.0 for x in a)
    return x, found


#export over_list(int)
def over_list(n):
    xs = [k * k for k in range(n)]
    return any(v > 50 for v in xs), all(v >= 0 for v in xs)


#export in_condition(float64[], float)
def in_condition(a, t):
    if any(v > t for v in a):
        return 1
    elif all(v == t for v in a):
        return 2
    return 3


#run: has_negative(np.array([1.0, 2.0, -3.0]))
#run: has_negative(np.array([1.0, 2.0]))
#run: has_negative(np.array([]))
#run: has_negative(np.array([np.nan, 1.0]))
#run: all_positive(np.array([1.0, 2.0]))
#run: all_positive(np.array([1.0, 0.0, 2.0]))
#run: all_positive(np.array([]))
#run: stops_early(10, -0.4)
#run: stops_early(10, 0.5)
#run: stops_early(3, 0.5)
#run: all_stops_early(10, -6)
#run: all_stops_early(10, 100)
#run: all_stops_early(2, 100)
#run: with_conditions(np.array([3, 12, 9, 15]), 5)
#run: with_conditions(np.array([3, 12, 9, 15]), 7)
#run: filtered_range(20, 0)
#run: filtered_range(10, 0)
#run: filtered_range(20, 7)
#run: filtered_range(13, 5)
#run: nested(np.array([[1.0, 2.0], [3.0, 4.0]]), 3.5)
#run: nested(np.array([[1.0, 2.0], [3.0, 4.0]]), 4.5)
#run: nested(np.zeros((0, 3)), 1.0)
#run: nested_all(np.array([[1.0, 2.0], [9.0, 9.0], [3.0, 4.0]]), 5.0)
#run: nested_all(np.array([[1.0, 2.0], [9.0, 9.0], [3.0, 6.0]]), 5.0)
#run: counted(30)
#run: name_kept(np.array([0.5, 2.0]))
#run: name_kept(np.array([]))
#run: over_list(5)
#run: over_list(10)
#run: over_list(0)
#run: in_condition(np.array([1.0, 2.0]), 1.5)
#run: in_condition(np.array([1.0, 1.0]), 1.0)
#run: in_condition(np.array([1.0, 1.0]), 3.0)
