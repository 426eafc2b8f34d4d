"""Infinities, NaN and signed zeros flow through arithmetic as in CPython."""

#export arith(float, float)
def arith(a, b):
    return a + b, a - b, a * b


#export neg_zero()
def neg_zero():
    z = -0.0
    return z, z * 1.0, 0.0 * -1.0, -(0.0)

#run: arith(float('inf'), 1.0)
#run: arith(float('inf'), float('-inf'))
#run: arith(float('nan'), 1.0)
#run: arith(1e308, 1e308)
#run: arith(-0.0, 0.0)
#run: neg_zero()
