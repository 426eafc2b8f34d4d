"""Helpers that are not exported get one instance per argument types."""


def sq(x):
    return x * x


def scale(x, factor=2, offset=0.0):
    return x * factor + offset


#export both(int, float)
def both(i, f):
    return sq(i), sq(f), sq(True)


#export defaults(float)
def defaults(x):
    return scale(x), scale(x, 3), scale(x, offset=1.5), scale(factor=0.5, x=x)


#export chain(int)
def chain(n):
    return sq(sq(n)) + sq(n + 0.5)

#run: both(3, 1.5)
#run: defaults(2.0)
#run: chain(3)
