"""Failures of compiled helpers caught by the caller: after an `except` or a `finally` has run,
later calls of compiled helpers that succeed must not be taken for failures (compiled code
reports failures through a flag that catching clears)."""
import numpy as np


def ratio(a, b):
    return a // b


def item(a, i):
    return a[i]


def deep(n):
    if n == 0:
        return 0
    return deep(n - 1) + 1


#export ratios(int[:], int)
def ratios(xs, d):
    total = 0
    failures = 0
    for v in xs:
        x = int(v)  # a Python int under CPython: numpy's own // by zero does not raise
        try:
            total += ratio(x, d)
        except ZeroDivisionError:
            failures += 1
            # A compiled call inside the handler, after the failed one.
            total += ratio(x, 1)
        total += ratio(x, 2)
    return total, failures


#export items(float64[:], int[:])
def items(a, idx):
    s = 0.0
    missing = 0
    for i in idx:
        try:
            s += item(a, i)
        except IndexError:
            missing += 1
    return s + item(a, 0), missing


#export finally_then_call(int)
def finally_then_call(d):
    log = []
    try:
        try:
            log.append(ratio(10, d))
        finally:
            log.append(ratio(9, 3))
    except ZeroDivisionError:
        log.append("caught")
    log.append(ratio(8, 2))
    return log


#export recover_from_recursion(int)
def recover_from_recursion(n):
    try:
        r = deep(n)
    except RecursionError:
        r = -1
    return r, deep(10)


#run: ratios(np.array([1, 5, 9, 12]), 0)
#run: ratios(np.array([1, 5, 9, 12]), 3)
#run: items(np.array([1.0, 2.0, 4.0]), np.array([0, 5, 2, -7, 1]))
#run: items(np.array([1.0, 2.0, 4.0]), np.array([0, 1, 2]))
#run: items(np.zeros(0), np.array([1]))
#run: finally_then_call(0)
#run: finally_then_call(5)
#run: recover_from_recursion(100)
#run: recover_from_recursion(10**6)
