"""Repeated export lines are overloads; `or` expands to several signatures."""

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

#run: double(3)
#run: double(3.5)
#run: double(True)
#run: scale(2, 1.5)
#run: scale(2.5, 2.0)
#run: pick(True)
#run: pick(7)
