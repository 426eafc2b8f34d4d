"""Comparisons, chained ones included, between ints, floats and bools; NaN compares false."""

#export cmp(int, float)
def cmp(a, b):
    return a < b, a <= b, a > b, a >= b, a == b, a != b


#export in_range(int, int)
def in_range(r, n):
    return 0 <= r < n


#export chain(float, float, float)
def chain(a, b, c):
    return a < b < c, a == b == c, a < b > c, a != b != c

#run: cmp(1, 2.0)
#run: cmp(2, 2.0)
#run: cmp(3, 2.5)
#run: cmp(1, float('nan'))
#run: in_range(0, 5)
#run: in_range(5, 5)
#run: in_range(-1, 5)
#run: chain(1.0, 2.0, 3.0)
#run: chain(1.0, 1.0, 1.0)
#run: chain(1.0, 3.0, 2.0)
#run: chain(float('nan'), 1.0, 2.0)
