"""Arithmetic on two Python objects: exact floats and ints take a native fast path (results,
types and errors as CPython's); subclasses, big ints, bools, lists and strings go the generic
way."""

import fractions


#export arith(object, object)
def arith(a, b):
    return a + b, a - b, a * b, a / b


#export update(object, object)
def update(a, b):
    a += b
    a -= b * 2
    a *= b
    return a

#run: arith(1.5, 2.0)
#run: arith(1, 2.5)
#run: arith(2.5, 3)
#run: arith(3, 4)
#run: arith(2**62, 2**62)
#run: arith(-2**63, -1)
#run: arith(2**70, 1.5)
#run: arith(10**400, 1.0)
#run: arith(1.0, 0.0)
#run: arith(1, 0)
#run: arith(1e308, 1e308)
#run: arith(True, 2.5)
#run: arith(float("nan"), 1)
#run: arith(-0.0, 0.0)
#run: arith(fractions.Fraction(1, 3), 2.0)
#run: arith(fractions.Fraction(1, 3), 2)
#run: arith([1], [2])
#run: update(1.5, 2.0)
#run: update(7, 3)
#run: update([1], [2])
#run: update(2**63 - 1, 1)


#export power(object, object)
def power(a, b):
    return a ** b

#run: power(2.0, 0.5)
#run: power(2.0, -1.5)
#run: power(-8.0, 1.0 / 3.0)
#run: power(-2.0, 2.0)
#run: power(0.0, -1.0)
#run: power(10.0, 400.0)
#run: power(2, 0.5)
#run: power(2, 3)
#run: power(10**400, 0.5)
#run: power(2.0, 10**400)
#run: power(float("inf"), 2.0)
#run: power(1.5, float("nan"))


#export updates(object, object)
def updates(xs, i):
    xs[i] += 1.5
    xs[-1] -= xs[0]
    a, b = xs[0], xs[1]
    return xs, a * b

#run: updates([1.0, 2.0, 3.0], 1)
#run: updates([1.0, 2.0, 3.0], -3)
#run: updates([1.0, 2.0], 5)
#run: updates((1.0, 2.0), 0)
#run: updates({0: 1.0, 1: 2.0, -1: 0.0}, 1)


#export unpacking(object)
def unpacking(rows):
    total = 0.0
    for (x, y), z in rows:
        total += x * y - z
    return total

#run: unpacking([([1.0, 2.0], 3.0), ((4.0, 5.0), 6.0)])
#run: unpacking([([1.0, 2.0, 9.0], 3.0)])
#run: unpacking([("ab", 3.0)])


#export compare(object, object)
def compare(a, b):
    return a < b, a <= b, a == b, a != b, a > b, a >= b, (a < b) + 0

#run: compare(1.5, 2.5)
#run: compare(2.5, 2.5)
#run: compare(float("nan"), 1.0)
#run: compare(float("nan"), float("nan"))
#run: compare(3, 3)
#run: compare(-2**63, 2**63 - 1)
#run: compare(2**70, 2**70 + 1)
#run: compare(1, 1.0)
#run: compare(2**53 + 1, float(2**53))
#run: compare(True, 1)
#run: compare("a", "b")
#run: compare([1], [1, 0])
#run: compare(1, "a")


def step(v, k, dv):
    v[k] += dv
    return v[k]


#export advance_while(object, float)
def advance_while(bodies, dt):
    # The same list update as `updates`, spelled with a while loop, a helper and reversed
    # index order: the fast paths are per operation, so every spelling takes them.
    i = len(bodies) - 1
    total = 0.0
    while i >= 0:
        (x, y), v = bodies[i]
        for k in (1, 0):
            total += step(v, k, dt * (x - y) ** 2.0)
        i -= 1
    return total, bodies

#run: advance_while([([1.0, 2.0], [0.0, 0.0]), ([3.0, 0.5], [1.0, -1.0])], 0.5)
#run: advance_while([((2, 1), [0, 0])], 2.0)
