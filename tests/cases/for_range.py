"""for over range with one, two and three arguments, negative and zero steps."""

#export count(int)
def count(n):
    s = 0
    for i in range(n):
        s += i
    return s


#export span(int, int)
def span(a, b):
    s = 0
    for i in range(a, b):
        s = s * 3 + i
    return s


#export stepped(int, int, int)
def stepped(a, b, c):
    # `^` folds every value in without leaving int64 (a sum near the ends would: OverflowError).
    s = 0
    n = 0
    for i in range(a, b, c):
        s ^= i
        n += 1
    return s, n


#export last(int)
def last(n):
    i = -1
    for i in range(n):
        pass
    return i

#run: count(10)
#run: count(0)
#run: count(-5)
#run: span(3, 8)
#run: span(8, 3)
#run: stepped(0, 10, 3)
#run: stepped(10, 0, -3)
#run: stepped(10, -10, -1)
#run: stepped(0, 10, -1)
#run: stepped(5, 5, 1)
#run: stepped(0, 10, 0)
#run: stepped(-9223372036854775807, 9223372036854775807, 4611686018427387904)
#run: stepped(9223372036854775807, -9223372036854775807, -9223372036854775807)
#run: last(5)
#run: last(0)
