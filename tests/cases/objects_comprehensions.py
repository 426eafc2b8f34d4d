"""List, set and dict comprehensions: nested loops, conditions, loop variables that do not
leak, a first iterable evaluated in the enclosing scope, native loops over ranges and arrays."""
import numpy as np


#export squares(int)
def squares(n):
    return [i * i for i in range(n)]


#export evens_upper(str list)
def evens_upper(words):
    return [w.upper() for i, w in enumerate(words) if i % 2 == 0 if w]


#export pairs(int)
def pairs(n):
    return [(i, j) for i in range(n) for j in range(i)]


#export index(str list)
def index(words):
    return {w: len(w) for w in words}, {len(w) for w in words}


#export shadow(object)
def shadow(x):
    y = [x for x in x]
    return y, x


#export from_array(float64[:])
def from_array(a):
    return [round(v, 1) for v in a if v > 0.5], sum([v for v in a])


#export nested(int)
def nested(n):
    return [[i * j for j in range(n)] for i in range(n)]


#export consumed(str list, float64[:])
def consumed(words, a):
    return (sum(len(w) for w in words), max(len(w) for w in words), "-".join(w.upper() for w in words if w),
            sorted((w for w in words), key=len, reverse=True), sum(x * x for x in a), tuple(i for i in range(3)))


#export failing(object)
def failing(xs):
    return [1 // x for x in xs]


#run: squares(5)
#run: squares(0)
#run: evens_upper(["a", "", "c", "d", "e"])
#run: pairs(4)
#run: index(["aa", "b", "cc"])
#run: shadow([3, 1, 2])
#run: from_array(np.array([0.25, 0.75, 1.0]))
#run: nested(3)
#run: consumed(["ab", "", "cde"], np.arange(4.0))
#run: consumed([], np.arange(0.0))
#run: failing([1, 2])
#run: failing([1, 0])
