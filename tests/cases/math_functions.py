"""math functions on ordinary arguments."""
import math
from math import sqrt, pi


#export basics(float)
def basics(x):
    return (math.sqrt(x), math.exp(x), math.log(x), math.log10(x), math.log2(x), math.log1p(x),
            math.expm1(x), sqrt(x * 4))


#export trig(float)
def trig(x):
    return (math.sin(x), math.cos(x), math.tan(x), math.atan(x), math.sinh(x), math.cosh(x),
            math.tanh(x), math.asinh(x), math.degrees(x), math.radians(x))


#export inverse_trig(float)
def inverse_trig(x):
    return math.asin(x), math.acos(x), math.atanh(x)


#export two(float, float)
def two(x, y):
    return math.atan2(x, y), math.copysign(x, y), math.pow(x, y), math.fmod(x, y), math.log(x, y)


#export rounding(float)
def rounding(x):
    return math.floor(x), math.ceil(x), math.trunc(x), math.fabs(x)


#export on_ints(int)
def on_ints(n):
    return math.floor(n), math.sqrt(n), math.isnan(n), math.acosh(n), pi * n

#run: basics(2.0)
#run: basics(0.5)
#run: trig(0.5)
#run: trig(-1.25)
#run: inverse_trig(0.5)
#run: inverse_trig(-0.25)
#run: two(3.0, 2.0)
#run: two(-1.5, 4.0)
#run: rounding(2.5)
#run: rounding(-2.5)
#run: rounding(-0.0)
#run: on_ints(4)
