"""Loops whose error checks (a division, a square root, an index) used to keep them scalar in
pyaot: they now run speculatively (compiler/src/codegen/speculate.rs) and vectorize, with the
same exceptions as CPython when a check fails. examples/bench_checked.py times them."""
import math


#pythran export ratio_sum(float64[:], float64[:])
def ratio_sum(a, b):
    s = 0.0
    for i in range(len(a)):
        s += a[i] / b[i]
    return s


#pythran export divide_into(float64[:], float64[:], float64[:])
def divide_into(out, a, b):
    for i in range(len(out)):
        out[i] = a[i] / b[i]


#pythran export half_roots(float64[:], float64[:])
def half_roots(out, x):
    for i in range(len(x)):
        out[i] = math.sqrt(x[i]) * 0.5


#pythran export clipped_inverse(float64[:], float64[:])
def clipped_inverse(out, x):
    for i in range(len(x)):
        if x[i] > 0.5:
            out[i] = 1.0 / x[i]
        else:
            out[i] = 0.0


#pythran export accumulate_ratio(float64[:], float64[:], float64[:])
def accumulate_ratio(out, a, b):
    for i in range(len(out)):
        out[i] += a[i] / b[i]
