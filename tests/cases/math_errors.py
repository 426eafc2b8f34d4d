"""math raises ValueError for domain errors and OverflowError for results too large."""
import math
import numpy as np


#export sqrt(float)
def sqrt(x):
    return math.sqrt(x)


#export log(float)
def log(x):
    return math.log(x)


#export acos(float)
def acos(x):
    return math.acos(x)


#export exp(float)
def exp(x):
    return math.exp(x)


#export floor(float)
def floor(x):
    return math.floor(x)


#export sin(float)
def sin(x):
    return math.sin(x)


#export cos_exp2(float)
def cos_exp2(x):
    return math.cos(x) + math.exp2(x)


#export pw(float, float)
def pw(x, y):
    return math.pow(x, y)


#export fm(float, float)
def fm(x, y):
    return math.fmod(x, y)

#run: sqrt(-1.0)
#run: sqrt(float('nan'))
#run: sqrt(float('inf'))
#run: log(0.0)
#run: log(-1.0)
#run: acos(2.0)
#run: exp(1000.0)
#run: exp(-1000.0)
#run: exp(float('inf'))
#run: floor(float('nan'))
#run: floor(float('inf'))
#run: sin(float('inf'))
#run: sin(float('-inf'))
#run: sin(float('nan'))
#run: sin(1e300)
#run: exp(float('nan'))
#run: exp(float('-inf'))
#run: exp(709.78)
#run: exp(709.79)
#run: cos_exp2(float('inf'))
#run: cos_exp2(float('-inf'))
#run: cos_exp2(float('nan'))
#run: cos_exp2(1023.9)
#run: cos_exp2(1024.0)
#run: cos_exp2(-1100.0)
#run: pw(-8.0, 1.0 / 3.0)
#run: pw(0.0, -1.0)
#run: pw(10.0, 400.0)
#run: pw(2.0, 0.5)
#run: fm(5.0, 0.0)
#run: fm(float('inf'), 2.0)
#run: fm(5.5, float('inf'))
#run: fm(-5.5, 2.0)
#run: fm(float('nan'), -0.0)
#run: fm(float('nan'), 0.0)
#run: fm(5.0, float('nan'))
#run: fm(float('inf'), float('nan'))
#run: fm(float('nan'), float('inf'))


#export hyp(float, float)
def hyp(x, y):
    return math.hypot(x, y)


#export hyperbolic(float)
def hyperbolic(x):
    return math.sinh(x) + math.cosh(x)


#export near_zero(float)
def near_zero(x):
    return math.expm1(x) + math.log1p(x)


#export tangents(float)
def tangents(x):
    return math.tan(x) + math.atanh(x)


#export damped_sum(float64[:])
def damped_sum(a):
    # The checks of exp and cos in a loop: a test of each result, the rest only when it is
    # not a finite number.
    s = 0.0
    for i in range(len(a)):
        s += math.exp(a[i]) * math.cos(a[i]) + math.pow(a[i], 0.5)
    return s

#run: hyp(3.0, 4.0)
#run: hyp(1e308, 1e308)
#run: hyp(float('inf'), 1.0)
#run: hyp(float('nan'), 1.0)
#run: hyperbolic(2.0)
#run: hyperbolic(800.0)
#run: hyperbolic(float('inf'))
#run: hyperbolic(float('nan'))
#run: near_zero(1e-9)
#run: near_zero(-1.0)
#run: near_zero(1000.0)
#run: tangents(0.5)
#run: tangents(1.0)
#run: tangents(float('inf'))
#run: damped_sum(np.array([0.5, 1.0, 2.0]))
#run: damped_sum(np.array([0.5, 800.0, 2.0]))
#run: damped_sum(np.array([0.5, float('inf'), 2.0]))
#run: damped_sum(np.array([0.5, -1.0, 2.0]))
#run: damped_sum(np.array([0.5, float('nan'), 2.0]))
