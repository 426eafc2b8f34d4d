"""`and`/`or` return one of their operands and stop early; `not` gives a bool."""

#export either(int, int)
def either(a, b):
    return a or b, a and b, not a


#export floats(float, float)
def floats(a, b):
    return a or b, a and b


#export safe_div(int, int)
def safe_div(a, b):
    # short-circuit: the division never runs when b is 0
    return b != 0 and a // b > 1


#export three(bool, bool, bool)
def three(p, q, r):
    return p and q or r, p or q and r

#run: either(0, 5)
#run: either(3, 5)
#run: either(3, 0)
#run: floats(0.0, 2.5)
#run: floats(1.5, 2.5)
#run: floats(float('nan'), 1.0)
#run: safe_div(10, 0)
#run: safe_div(10, 3)
#run: safe_div(1, 3)
#run: three(True, False, True)
#run: three(False, True, False)
