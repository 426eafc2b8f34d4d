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
#run: pw(-8.0, 1.0 / 3.0)
#run: pw(0.0, -1.0)
#run: pw(10.0, 400.0)
#run: pw(2.0, 0.5)
#run: fm(5.0, 0.0)
#run: fm(float('inf'), 2.0)
#run: fm(5.5, float('inf'))
#run: fm(-5.5, 2.0)
