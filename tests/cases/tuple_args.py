"""Tuple arguments, unpacked inside."""

#export norm2((float, float))
def norm2(p):
    x, y = p
    return x * x + y * y


#export swap_pair((int, (int, float)))
def swap_pair(t):
    a, (b, c) = t
    return (c, b), a

#run: norm2((3.0, 4.0))
#run: norm2((1, 2.5))
#run: swap_pair((1, (2, 3.5)))
