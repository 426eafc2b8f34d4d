"""A module that defines its own `any`: a call of it with a generator is a call of that
function (pyaot refuses generators as values), not a search; a list argument works."""


def any(values):
    return len(values) * 2


#export own_any(int)
def own_any(n):
    return any([k for k in range(n)])

#run: own_any(3)
#run: own_any(0)
