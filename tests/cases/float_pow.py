"""`**` with floats, and its errors: 0.0 to a negative power, overflow."""
import math

#export fpow(float, float)
def fpow(a, b):
    return a ** b


#export mixed(int, float)
def mixed(a, b):
    return a ** b, b ** a

#run: fpow(2.0, 0.5)
#run: fpow(2.0, -1.0)
#run: fpow(-2.0, 3.0)
#run: fpow(-8.0, 2.0)
#run: fpow(0.0, 0.0)
#run: fpow(0.0, 2.0)
#run: fpow(0.0, -1.0)
#run: fpow(10.0, 400.0)
#run: fpow(1.0, float('nan'))
#run: fpow(float('nan'), 0.0)
#run: fpow(float('inf'), -1.0)
#run: fpow(1.5, 100.0)
#run: mixed(2, 0.5)
#run: mixed(3, 2.0)
#run: mixed(0, -1.5)


#export pow_of_constant(float)
def pow_of_constant(y):
    # A constant base 2**40: LLVM turned pow(2**40, y) into exp2(40 * y), 1.5e-14 off.
    return math.pow(float(1099511627776), y), 1099511627776.0 ** y, 0.125 ** y


#run: pow_of_constant(2.2)
#run: pow_of_constant(0.3)
#run: pow_of_constant(-1.7)
#run: fpow(float('-inf'), 0.5)
#run: fpow(float('-inf'), 1.5)
#run: fpow(float('-inf'), -0.5)
