"""Objects meeting native code: unboxing into ranges, indices, array stores and math; native
values boxed into objects; locals joining numbers and objects."""
import math
import numpy as np


#export fill_from_list(float64[:], object)
def fill_from_list(a, values):
    for i in range(len(values)):
        a[i] = values[i]
    return a.sum()


#export pick(float64[:], object)
def pick(a, idx):
    return a[idx], a[idx["k"]] if isinstance(idx, dict) else a[idx]


#export count_to(object)
def count_to(n):
    s = 0
    for i in range(n):
        s += i
    return s


#export parse(str, str)
def parse(a, b):
    return int(a) + float(b), math.sqrt(float(b)), len(a)


#export join_numbers(int)
def join_numbers(n):
    total = 0
    parts = []
    for i in range(n):
        parts.append(str(i))
        total += i
    return "+".join(parts) + "=" + str(total), total


#export mixed_local(object)
def mixed_local(d):
    x = 0
    x = x + d["a"]
    y = 1.5
    y *= d["a"]
    return x, y


#export sqrt_obj(object)
def sqrt_obj(x):
    return math.sqrt(x), math.floor(x)


#export array_to_list(float64[:])
def array_to_list(a):
    out = []
    for x in a:
        out.append(x * 2)
    return out, list(a), a


#run: fill_from_list(np.zeros(3), [1, 2.5, 3])
#run: fill_from_list(np.zeros(2), [1, "x"])
#run: fill_from_list(np.zeros(2), ["2.5", True])
#run: fill_from_list(np.zeros(2), [1, 2, 3])
#run: pick(np.arange(5.0), 2)
#run: pick(np.arange(5.0), -1)
#run: pick(np.arange(5.0), 7)
#run: pick(np.arange(5.0), 2.0)
#run: count_to(5)
#run: count_to(5.0)
#run: parse("40", "2.25")
#run: parse("x", "1")
#run: join_numbers(4)
#run: join_numbers(0)
#run: mixed_local({"a": 2})
#run: mixed_local({"a": "s"})
#run: sqrt_obj(2)
#run: sqrt_obj(-1)
#run: sqrt_obj("x")
#run: array_to_list(np.arange(3.0))
