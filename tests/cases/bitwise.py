"""Bitwise operators and shifts on ints and bools; a negative shift count raises ValueError."""

#export bits(int, int)
def bits(a, b):
    return a & b, a | b, a ^ b


#export shifts(int, int)
def shifts(a, n):
    return a << n, a >> n


#export rshift(int, int)
def rshift(a, n):
    return a >> n


#export bools(bool, bool)
def bools(p, q):
    return p & q, p | q, p ^ q, p & 3

#run: bits(12, 10)
#run: bits(-12, 10)
#run: bits(-1, -2)
#run: shifts(1, 10)
#run: shifts(-16, 2)
#run: shifts(-17, 2)
#run: shifts(5, 0)
#run: shifts(1, 62)
#run: shifts(-1, 63)
#run: rshift(-1, 70)
#run: rshift(1 << 62, 64)
#run: shifts(3, -1)
#run: bools(True, False)
#run: bools(True, True)
