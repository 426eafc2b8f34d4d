"""math raises ValueError for domain errors and OverflowError for results too large."""
import math


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
