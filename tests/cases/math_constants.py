"""math constants and the isnan/isinf/isfinite predicates."""
import math
from math import inf, nan


#export consts()
def consts():
    return math.pi, math.e, math.tau, math.inf, -inf


#export predicates(float)
def predicates(x):
    return math.isnan(x), math.isinf(x), math.isfinite(x)


#export nan_is_nan()
def nan_is_nan():
    return nan == nan, nan != nan, math.isnan(nan)

#run: consts()
#run: predicates(1.0)
#run: predicates(float('inf'))
#run: predicates(float('-inf'))
#run: predicates(float('nan'))
#run: nan_is_nan()
