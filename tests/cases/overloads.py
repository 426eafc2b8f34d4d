"""Repeated export lines are overloads; `or` expands to several signatures. Each is tried in
order and falls through to the next when an argument does not convert (a numpy array of
several elements is not an int nor a float, though its type has both slots)."""
import numpy as np

#export double(int)
#export double(float)
def double(x):
    return x * 2


#export scale(int or float, float)
def scale(x, f):
    return x * f


#export pick(bool)
#pythran export pick(int)
def pick(x):
    return x

#pythran export scalar_or_array(int)
#pythran export scalar_or_array(int[])
def scalar_or_array(i):
    return i


#pythran export halve(float)
#pythran export halve(float[])
def halve(x):
    return x / 2


#run: double(3)
#run: double(3.5)
#run: double(True)
#run: scale(2, 1.5)
#run: scale(2.5, 2.0)
#run: pick(True)
#run: pick(7)
#run: scalar_or_array(3)
#run: scalar_or_array(np.int32(4))
#run: scalar_or_array(np.array([1, 2]))
#run: halve(3.0)
#run: halve(np.float32(1.5))
#run: halve(np.array([1.0, 2.0]))
#run: halve(7)
