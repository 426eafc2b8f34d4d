"""Unary - + ~ and `not` on ints, floats and bools."""

#export on_int(int)
def on_int(x):
    return -x, +x, ~x, not x


#export on_float(float)
def on_float(x):
    return -x, +x, not x


#export on_bool(bool)
def on_bool(b):
    return -b, +b, ~b, not b

#run: on_int(5)
#run: on_int(0)
#run: on_int(-12)
#run: on_float(2.5)
#run: on_float(0.0)
#run: on_float(-0.0)
#run: on_float(float('nan'))
#run: on_bool(True)
#run: on_bool(False)
