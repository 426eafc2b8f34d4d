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
