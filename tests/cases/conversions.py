"""int(), float() and bool(), with int()'s errors for NaN and infinities."""

#export to_int(float)
def to_int(x):
    return int(x)


#export to_float(int)
def to_float(i):
    return float(i), float(True)


#export to_bool(int, float)
def to_bool(i, f):
    return bool(i), bool(f), int(True), int(7)

#run: to_int(3.9)
#run: to_int(-3.9)
#run: to_int(-0.5)
#run: to_int(1e18)
#run: to_int(-9223372036854775808.0)
#run: to_int(9.2e18)
#run: to_int(-9.2e18)
#run: to_int(-0.0)
#run: to_int(0.9999999999999999)
#run: to_int(float('nan'))
#run: to_int(float('inf'))
#run: to_int(float('-inf'))
#run: to_float(7)
#run: to_bool(0, 0.0)
#run: to_bool(-3, float('nan'))
