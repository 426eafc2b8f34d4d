"""Every division by zero raises ZeroDivisionError, for ints and floats alike."""

#export int_div(int, int)
def int_div(a, b):
    return a / b


#export int_floordiv(int, int)
def int_floordiv(a, b):
    return a // b


#export int_mod(int, int)
def int_mod(a, b):
    return a % b


#export float_div(float, float)
def float_div(a, b):
    return a / b


#export float_mod(float, float)
def float_mod(a, b):
    return a % b


#export mixed(int, float)
def mixed(a, b):
    return a // b

#run: int_div(1, 0)
#run: int_floordiv(1, 0)
#run: int_mod(1, 0)
#run: int_mod(0, 0)
#run: float_div(1.0, 0.0)
#run: float_div(1.0, -0.0)
#run: float_div(0.0, 0.0)
#run: float_mod(1.0, 0.0)
#run: mixed(3, 0.0)
#run: mixed(3, 0.5)
#run: float_div(1.0, 4.0)
