"""Module functions used as values: passed to builtins (`map`, `sorted(key=)`), stored in lists
and dicts (also a module-level dict), called through a variable with keywords and defaults."""


def square(x):
    return x * x


def add(a, b=10):
    return a + b


OPS = {"sq": square, "add": add}


#export apply(int)
def apply(n):
    fs = [square, add]
    r = [f(n) for f in fs]
    m = list(map(square, range(n)))
    s = sorted([3, -1, 2], key=square)
    g = OPS["add"]
    return r, m, s, g(n, b=1), OPS["sq"](n), square is square, square.__name__

#run: apply(4)
#run: apply(0)


#export misuse(int)
def misuse(k):
    g = OPS["add"]
    if k == 0:
        return g()
    if k == 1:
        return g(1, 2, 3)
    return g(1, c=2)

#run: misuse(0)
#run: misuse(1)
#run: misuse(2)
