"""Defaults that are not constants, evaluated once when the module runs the `def` (as Python
does): a module value (`bodies=SYSTEM`), a shared mutable default (`acc=[]` keeps what earlier
calls appended, as in CPython), from compiled callers and from Python."""

SYSTEM = [[1.0, 2.0], [3.0, 4.0]]
SCALE = {"x": 2.0}


#export total(object?, float?)
def total(bodies=SYSTEM, k=1.0):
    s = 0.0
    for b in bodies:
        s += (b[0] + b[1]) * k
    return s


#export remember(int)
def remember(x, acc=[]):
    acc.append(x)
    return len(acc)


#export scaled(float, object?)
def scaled(v, table=SCALE):
    return v * table["x"]


#export run(float)
def run(k):
    a = total()
    b = total(k=k)
    c = total([[k, k]])
    remember(1)
    n = remember(2)
    return a, b, c, n, scaled(k), scaled(k, {"x": 3.0})

#run: run(2.0)
#run: run(-1.0)


#export direct(float)
def direct(k):
    return total(SYSTEM, k)

#run: direct(0.5)
#run: total()
#run: total(k=3.0)
#run: scaled(2.0)
#run: remember(5)
#run: remember(6, [])
