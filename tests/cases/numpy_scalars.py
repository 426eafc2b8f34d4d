"""numpy's functions and constants on numbers, as Numba and Pythran users write them inside
loops: `np.sqrt(x)`, `np.minimum(a, b)`, `np.pi`, `np.inf`, ... compile to the scalar operation
with numpy's semantics (NaN or an infinity where numpy gives one, no exception; NaN through
`minimum`; ints wrap as numpy's int64), and stay native: the locals they feed are numbers, not
Python objects. Of anything else (a bool, a complex, an array) the call is numpy's own."""
import numpy as np
from numpy import sqrt, pi, hypot


#pythran export norms(float64[:, :])
def norms(pts):
    out = np.empty(pts.shape[0])
    for i in range(pts.shape[0]):
        out[i] = np.sqrt(pts[i, 0] ** 2 + pts[i, 1] ** 2)
    return out


#pythran export nearest(float64[], float)
def nearest(a, v):
    best = np.inf
    for x in a:
        d = np.abs(x - v)
        if d < best:
            best = d
    return best


#pythran export unary(float)
def unary(x):
    return (np.sqrt(x), np.exp(x), np.log(x), np.log2(x), np.log10(x), np.log1p(x),
            np.expm1(x), np.sin(x), np.cos(x), np.tan(x), np.arctan(x), np.sinh(x),
            np.cosh(x), np.tanh(x), np.arcsinh(x), np.floor(x), np.ceil(x), np.trunc(x),
            np.rint(x), np.fabs(x), np.cbrt(x), np.deg2rad(x), np.rad2deg(x), np.square(x),
            np.abs(x), np.sign(x), np.exp2(x))


#pythran export domain(float)
def domain(x):
    # Where math raises, numpy gives NaN or an infinity.
    return (np.arcsin(x), np.arccos(x), np.arccosh(x), np.arctanh(x), np.sqrt(x), np.log(x))


#pythran export tests(float)
def tests(x):
    return np.isnan(x), np.isinf(x), np.isfinite(x)


#pythran export binary(float, float)
def binary(a, b):
    return (np.minimum(a, b), np.maximum(a, b), np.fmin(a, b), np.fmax(a, b),
            np.arctan2(a, b), np.hypot(a, b), np.power(a, b), np.copysign(a, b))


#pythran export ints(int, int)
def ints(a, b):
    return (np.abs(a), np.square(a), np.sign(a), np.minimum(a, b), np.maximum(a, b),
            np.power(a, b), np.sqrt(a), np.isnan(a), np.hypot(a, b))


#pythran export imported(float)
def imported(r):
    return pi * r * r, sqrt(r), hypot(r, 1.0), np.e, np.euler_gamma, np.nan


#pythran export not_numbers(float64[], complex)
def not_numbers(a, z):
    # Of an array or a complex: numpy's own function, through Python.
    return np.sqrt(a), np.abs(z), np.floor(3)

#run~: norms(np.array([[3.0, 4.0], [1.0, 1.0]]))
#run: nearest(np.array([1.0, 5.0, 2.5]), 2.0)
#run: nearest(np.array([]), 2.0)
#run~: unary(0.7)
#run~: unary(-2.5)
#run~: unary(0.0)
#run: unary(float("nan"))
#run~: unary(1e300)
#run: domain(2.0)
#run: domain(-1.0)
#run~: domain(0.5)
#run: tests(1.0)
#run: tests(float("inf"))
#run: tests(float("nan"))
#run~: binary(1.0, 2.0)
#run~: binary(-0.0, 0.0)
#run~: binary(0.0, -0.0)
#run: binary(float("nan"), 1.0)
#run: binary(1.0, float("nan"))
#run~: binary(-8.0, 1.0 / 3.0)
#run: ints(-7, 3)
#run: ints(3, 0)
#run: ints(2, 62)
#run: ints(2, 64)
#run: ints(-9223372036854775807 - 1, 2)
#run: ints(2, -1)
#run: imported(2.0)
#run: not_numbers(np.array([4.0, 9.0]), 3 + 4j)
