"""Nested functions: closures over locals bound once before the `def` (parameters too),
returned, passed to other functions and builtins, called by position or name with constant
defaults; a nested function reading no local is a plain callable."""


def make_adder(k):
    def add(x, scale=1):
        return (x + k) * scale
    return add


def compose(f, g):
    def h(x):
        return f(g(x))
    return h


#export run(int)
def run(n):
    a = make_adder(n)
    sq = compose(a, a)
    offset = n * 10

    def shifted(y):
        return y + offset

    def double(y):
        return y * 2

    return (a(1), a(1, scale=3), sq(2), shifted(1), [double(i) for i in range(3)],
            sorted([3, 1, 2], key=shifted), list(map(double, [1, 2])))

#run: run(5)
#run: run(-2)


#export misuse(int)
def misuse(k):
    a = make_adder(k)
    if k == 0:
        return a()
    return a(1, 2, 3)

#run: misuse(0)
#run: misuse(1)
