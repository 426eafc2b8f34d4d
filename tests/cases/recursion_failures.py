"""Recursive functions that fail: too deep, an IndexError deep down, a failing helper they call;
seen by the caller (Python, a `try` in compiled code, a parallel loop), and the next calls work.
(Recursive functions that hold nothing to release leave by a jump back to their entry.)"""
import numpy as np


def divide(a, b):
    return a // b


#export tree_sum(float64[:], int, int)
def tree_sum(a, lo, hi):
    if hi - lo == 1:
        return a[lo]
    mid = (lo + hi) // 2
    return tree_sum(a, lo, mid) + tree_sum(a, mid, hi)


#export countdown_divide(int, int)
def countdown_divide(n, d):
    if n == 0:
        return divide(100, d)
    return countdown_divide(n - 1, d) + 1


#export ping(int)
def ping(n):
    if n <= 0:
        return 0
    return pong(n - 1) + 1


def pong(n):
    if n <= 0:
        return 0
    return ping(n - 1) + 2


def attempt(k):
    try:
        return ping(k)
    except RecursionError:
        return -1


#export catch_deep(int)
def catch_deep(n):
    return attempt(10), attempt(n), attempt(20)


#export in_parallel(int[:])
def in_parallel(ns):
    out = np.zeros(len(ns), dtype=np.int64)
    #omp parallel for
    for i in range(len(ns)):
        out[i] = ping(ns[i])
    return out


#export fib_twice(int)
def fib_twice(n):
    # Equal calls of a function without side effects: LLVM may merge them; the result must not change.
    return fib(n) + fib(n) * 2 + fib(n - 1)


def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


#export quicksort(float64[:], int, int)
def quicksort(a, lo, hi):
    # In place: the writes made before a failure deep down stay, as in Python.
    if lo >= hi:
        return 0
    pivot = a[(lo + hi) // 2]
    i = lo
    j = hi
    while i <= j:
        while a[i] < pivot:
            i += 1
        while a[j] > pivot:
            j -= 1
        if i <= j:
            a[i], a[j] = a[j], a[i]
            i += 1
            j -= 1
    return quicksort(a, lo, j) + quicksort(a, i, hi) + 1


#run: quicksort(np.array([5.0, 1.0, 4.0, 2.0, 8.0, 0.5, 3.0]), 0, 6)
#run: quicksort(np.random.default_rng(3).random(500), 0, 499)
#run: quicksort(np.array([3.0, 1.0, 2.0]), 0, 3)
#run: quicksort(np.array([3.0, 1.0, 2.0, 7.0, 5.0]), -2, 4)
#run: tree_sum(np.arange(8.0), 0, 8)
#run: tree_sum(np.arange(8.0), 0, 9)
#run: tree_sum(np.arange(5.0), 0, 5)
#run: countdown_divide(50, 3)
#run: countdown_divide(50, 0)
#run: ping(101)
#run: ping(10**6)
#run: catch_deep(10**6)
#run: catch_deep(7)
#run: in_parallel(np.array([3, 5, 8]))
#run: in_parallel(np.array([3, 10**6, 5]))
#run: fib_twice(20)
#run: fib_twice(10**6)
