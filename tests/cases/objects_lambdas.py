"""Lambdas (reading their parameters, module values, imports and builtins) as Python callables:
sort keys, map/filter, callbacks handed back to Python, lambdas inside lambdas."""
import math

SCALE = 3


#export by_length(str list)
def by_length(words):
    return sorted(words, key=lambda w: (len(w), w)), max(words, key=lambda w: w[-1])


#export mapped(int list)
def mapped(xs):
    return list(map(lambda x: x * SCALE, xs)), list(filter(lambda x: x % 2 == 0, xs))


#export make_adder()
def make_adder():
    return lambda a, b: a + b + SCALE


#export nested()
def nested():
    f = lambda x: (lambda y: y * 2)(x) + 1
    return f(5), (lambda: math.pi)()


#export by_value(str:int dict, int)
def by_value(d, bonus):
    extra = {"b": bonus}
    return sorted(d, key=lambda k: d[k] + extra.get(k, 0)), max(d, key=lambda k: -d[k])


#export adders(int)
def adders(n):
    base = n * 10
    return [(lambda x: x + base + SCALE)(i) for i in range(3)]


#run: by_value({"a": 3, "b": 1, "c": 2}, 5)
#run: by_value({}, 0)
#run: adders(2)
#run: by_length(["ccc", "a", "bb", "ab"])
#run: by_length([])
#run: mapped([1, 2, 3, 4])
#run: make_adder()(1, 2)
#run: make_adder()(1)
#run: make_adder()("a", "b")
#run: nested()
