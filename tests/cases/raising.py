"""raise of builtin exceptions, with and without a message."""

#export check(int)
def check(n):
    if n < 0:
        raise ValueError("n must be non-negative")
    if n == 0:
        raise ZeroDivisionError
    if n > 100:
        raise OverflowError("too big")
    if n == 13:
        raise RuntimeError("unlucky")
    if n == 42:
        raise IndexError("no such index")
    if n == 7:
        raise KeyError("seven")
    if n == 8:
        raise NotImplementedError("later")
    if n == 9:
        raise TypeError("wrong")
    return 100 // n


def inner(x):
    if x > 1.0:
        raise ArithmeticError("from a helper")
    return x


#export outer(float)
def outer(x):
    return inner(x) * 2.0

#run: check(5)
#run: check(-1)
#run: check(0)
#run: check(101)
#run: check(13)
#run: check(42)
#run: check(7)
#run: check(8)
#run: check(9)
#run: outer(0.5)
#run: outer(1.5)
