"""Float floor division and modulo, signed zeros included, and their ZeroDivisionErrors."""

#export ops(float, float)
def ops(a, b):
    return a // b, a % b


#export by_int(float, int)
def by_int(a, b):
    return a // b, a % b, a / b

#run: ops(7.5, 2.0)
#run: ops(-7.5, 2.0)
#run: ops(7.5, -2.0)
#run: ops(-7.5, -2.0)
#run: ops(6.0, 3.0)
#run: ops(-6.0, 3.0)
#run: ops(0.0, -3.0)
#run: ops(-0.0, 3.0)
#run: ops(1e300, 1e-300)
#run: ops(5.0, float('inf'))
#run: ops(-5.0, float('inf'))
#run: ops(1.0, 0.0)
#run: ops(0.1, 0.01)
#run: by_int(7.25, 2)
#run: by_int(-7.25, 2)
#run: by_int(1.0, 0)
