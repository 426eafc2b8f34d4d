"""Exceptions with computed messages, exception objects and classes raised, errors from
called Python code passing through compiled code with their type."""


#export check_positive(int)
def check_positive(x):
    if x <= 0:
        raise ValueError(f"expected a positive number, got {x}")
    return x


#export raise_given(object)
def raise_given(e):
    raise e


#export lookup(object, object)
def lookup(d, k):
    return d[k] + 1


#export nth(object, int)
def nth(xs, i):
    return xs[i], xs[i - 1]


#export divide(object, object)
def divide(a, b):
    return a / b


#run: check_positive(3)
#run: check_positive(-2)
#run: raise_given(KeyError("k"))
#run: raise_given(TypeError)
#run: raise_given(3)
#run: lookup({"a": 1}, "a")
#run: lookup({"a": 1}, "b")
#run: lookup([1, 2], 5)
#run: lookup({"a": "s"}, "a")
#run: lookup({"a": 1}, [1])
#run: lookup([1, 2], -1)
#run: lookup([1, 2], -3)
#run: lookup((1, 2), 1)
#run: lookup("ab", 0)
#run: nth([1, 2, 3], 1)
#run: nth([1, 2, 3], -1)
#run: nth([1, 2, 3], 3)
#run: nth([1, 2, 3], -4)
#run: nth("abc", 2)
#run: nth({0: "z", 1: "o"}, 1)
#run: divide(1, 0)
#run: divide(1.0, 4)
