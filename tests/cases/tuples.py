"""Tuples: returned, unpacked, swapped, nested, indexed by constants, concatenated, compared."""

#export gcd(int, int)
def gcd(a, b):
    while b:
        a, b = b, a % b
    return a


#export minmax(float, float)
def minmax(a, b):
    if a > b:
        a, b = b, a
    return a, b


#export nested(int)
def nested(n):
    (a, b), c = (n, n + 1), n * 2.0
    return c, (a, b)


#export index(int, float)
def index(a, b):
    t = (a, b, a + b)
    return t[0], t[-1], t[1], len(t)


#export concat(int)
def concat(n):
    return (n,) + (n * 2, 3.5)


#export member(int)
def member(x):
    return x in (1, 2, 3), x not in (4, 5), (x, 1) == (2, 1), (x, 1) != (2, 1)


#export single(float)
def single(x):
    return (x,)

#run: gcd(48, 18)
#run: gcd(17, 5)
#run: gcd(0, 9)
#run: minmax(3.0, 1.0)
#run: minmax(1.0, 3.0)
#run: nested(4)
#run: index(2, 1.5)
#run: concat(4)
#run: member(2)
#run: member(4)
#run: single(2.5)
