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

#export lazy_tail(int, int)
def lazy_tail(x, y):
    # the last operand is only evaluated when the first comparison holds
    return 0 < x < 10 // y


#export four_ints(int, int, int, int)
def four_ints(a, b, c, d):
    return a <= b < c <= d, -5 < a <= 0 < d

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
#run: in_range(3, -1)
#run: in_range(-1, -1)
#run: in_range(-9223372036854775808, 9223372036854775807)
#run: in_range(9223372036854775806, 9223372036854775807)
#run: lazy_tail(0, 0)
#run: lazy_tail(1, 0)
#run: lazy_tail(1, 1)
#run: lazy_tail(20, 1)
#run: four_ints(1, 1, 2, 2)
#run: four_ints(1, 2, 2, 3)
#run: four_ints(-4, 0, 1, 1)
#run: four_ints(0, 0, 1, -1)
